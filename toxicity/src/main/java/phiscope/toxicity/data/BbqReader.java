package phiscope.toxicity.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads BBQ's JSON Lines files: one category file, or every *.jsonl in a folder. */
public final class BbqReader {

    private static final int ANSWERS = 3;

    private BbqReader() {
    }

    public static Rows<BbqQuestion> read(Path fileOrFolder) {
        List<Path> files = DatasetFiles.fileOrFolder(fileOrFolder, name -> name.endsWith(".jsonl"), "BBQ .jsonl files");
        List<BbqQuestion> rows = new ArrayList<>();
        List<RowProblem> problems = new ArrayList<>();
        for (Path file : files) {
            JsonRows.read(file, (row, line) -> question(file, row, line), rows, problems);
        }
        return new Rows<>(rows, problems, files);
    }

    private static BbqQuestion question(Path file, JsonFields row, int line) throws BadRowException {
        long exampleId = row.integer("example_id");
        String category = row.text("category");
        boolean ambiguous = switch (row.text("context_condition")) {
            case "ambig" -> true;
            case "disambig" -> false;
            default -> throw new BadRowException("field \"context_condition\" should be \"ambig\" or \"disambig\"");
        };
        boolean negative = switch (row.text("question_polarity")) {
            case "neg" -> true;
            case "nonneg" -> false;
            default -> throw new BadRowException("field \"question_polarity\" should be \"neg\" or \"nonneg\"");
        };
        String context = row.text("context");
        String question = row.text("question");
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < ANSWERS; i++) answers.add(row.text("ans" + i));
        long label = row.integer("label");
        if (label < 0 || label >= ANSWERS) throw new BadRowException("field \"label\" should be 0, 1 or 2, found " + label);

        // answer_info gives each answer's [name, group]; the unknown answer has group "unknown".
        JsonFields info = row.object("answer_info");
        List<List<String>> answerInfo = new ArrayList<>();
        for (int i = 0; i < ANSWERS; i++) {
            List<String> nameAndGroup = info.texts("ans" + i);
            if (nameAndGroup.size() != 2) throw new BadRowException("answer_info.ans" + i + " should be [name, group]");
            answerInfo.add(nameAndGroup);
        }
        List<String> stereotyped = row.object("additional_metadata").texts("stereotyped_groups").stream()
                .map(BbqReader::normalized).toList();

        int unknown = -1;
        int target = -1;
        for (int i = 0; i < ANSWERS; i++) {
            List<String> nameAndGroup = answerInfo.get(i);
            if (nameAndGroup.get(1).equals("unknown")) {
                if (unknown >= 0) throw new BadRowException("more than one answer is \"unknown\"");
                unknown = i;
            } else if (stereotyped.contains(normalized(nameAndGroup.get(0))) || stereotyped.contains(normalized(nameAndGroup.get(1)))) {
                if (target >= 0) throw new BadRowException("both answers belong to the stereotyped groups " + stereotyped);
                target = i;
            }
        }
        if (unknown < 0) throw new BadRowException("no answer is \"unknown\" in answer_info");
        if (target < 0) throw new BadRowException("no answer belongs to the stereotyped groups " + stereotyped);
        int other = ANSWERS - unknown - target; // the indices are 0, 1 and 2
        int biased = negative ? target : other;
        return new BbqQuestion(file, line, exampleId, category, ambiguous, negative, context, question, answers,
                (int) label, unknown, biased);
    }

    /** Group labels differ in case and spacing between fields ("low SES" vs "lowSES"). */
    private static String normalized(String group) {
        return group.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N}]", "");
    }
}
