package phiscope.toxicity.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import phiscope.toxicity.PythonText;

/**
 * Reads a capability eval's rows in every layout it is published in and builds each item as
 * lm-evaluation-harness's task file does (its {@code doc_to_text}, {@code doc_to_choice},
 * {@code doc_to_target}): the authors' JSON Lines, the Hugging Face Hub's rows (parquet, or JSON) and
 * mosaicml/llm-foundry's zero-shot copies, told apart by their fields row by row.
 */
public final class CapabilityReader {

    private static final String FOUNDRY_QUESTION = "Question: ";
    private static final String FOUNDRY_PASSAGE = "Passage: ";
    private static final String LABELS_SUFFIX = "-labels.lst";
    private static final Pattern HELLASWAG_BRACKETS = Pattern.compile("\\[.*?\\]", Pattern.UNIX_LINES);
    private static final Pattern NAME_WORDS = Pattern.compile("[^a-z0-9]+");

    private CapabilityReader() {
    }

    /** The items of {@code task} in {@code path}: a data file, or a folder holding the task's evaluation split. */
    public static Rows<EvalDoc> read(CapabilityTask task, Path path) {
        List<Path> dataFiles = dataFiles(path, task.split);
        List<Path> files = new ArrayList<>();
        List<EvalDoc> rows = new ArrayList<>();
        List<RowProblem> problems = new ArrayList<>();
        for (Path file : dataFiles) {
            files.add(file);
            Labels labels = Labels.beside(file);
            labels.file().ifPresent(files::add);
            JsonRows.Decoder<EvalDoc> decoder = (row, line) -> decode(task, file, line, row, labels);
            if (isParquet(file.getFileName().toString())) ParquetRows.read(file, decoder, rows, problems);
            else JsonRows.read(file, decoder, rows, problems);
        }
        return new Rows<>(rows, problems, files);
    }

    /** The generic multiple-choice layout, {@code {"context", "choices", "label"}}, one object per line. */
    public static Rows<EvalDoc> readMcJsonl(Path file) {
        if (!Files.isRegularFile(file)) throw new DatasetException(file + " does not exist or is not a file");
        List<EvalDoc> rows = new ArrayList<>();
        List<RowProblem> problems = new ArrayList<>();
        JsonRows.read(file, (row, line) -> choice(file, line, row.text("context"), row.texts("choices"),
                index(row, "label")), rows, problems);
        return new Rows<>(rows, problems, List.of(file));
    }

    private static EvalDoc decode(CapabilityTask task, Path file, int line, JsonFields row, Labels labels) throws BadRowException {
        return switch (task) {
            case ARC_EASY, ARC_CHALLENGE -> arc(file, line, row);
            case HELLASWAG -> hellaswag(file, line, row);
            case PIQA -> piqa(file, line, row, labels);
            case WINOGRANDE -> winogrande(file, line, row, labels);
            case BOOLQ -> boolq(file, line, row);
            case LAMBADA_OPENAI -> lambada(file, line, row);
        };
    }

    /** {@code "Question: {question}\nAnswer:"}, choices = the choice texts, gold = the index of answerKey among the labels. */
    private static EvalDoc arc(Path file, int line, JsonFields row) throws BadRowException {
        if (row.has("query")) {
            return choice(file, line, row.text("query") + "\nAnswer:", row.texts("choices"), index(row, "gold"));
        }
        if (!row.has("question")) {
            throw new BadRowException("missing field \"question\"; an ARC row is AI2's {\"question\": {\"stem\", \"choices\": "
                    + "[{\"text\", \"label\"}]}, \"answerKey\"}, the Hub's {\"question\", \"choices\": {\"text\", \"label\"}, "
                    + "\"answerKey\"} or llm-foundry's {\"query\", \"choices\", \"gold\"}");
        }
        String question;
        List<String> texts = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        if (row.required("question").isObject()) {
            JsonFields ai2 = row.object("question");
            question = ai2.text("stem");
            for (JsonFields choice : ai2.objects("choices")) {
                texts.add(choice.text("text"));
                labels.add(choice.text("label"));
            }
        } else {
            question = row.text("question");
            JsonFields choices = row.object("choices");
            texts.addAll(choices.texts("text"));
            labels.addAll(choices.texts("label"));
            if (texts.size() != labels.size()) {
                throw new BadRowException("choices has " + texts.size() + " texts but " + labels.size() + " labels");
            }
        }
        String answerKey = row.text("answerKey");
        int gold = labels.indexOf(answerKey);
        if (gold < 0) throw new BadRowException("answerKey \"" + answerKey + "\" is not one of the choice labels " + labels);
        return choice(file, line, "Question: " + question + "\nAnswer:", texts, gold);
    }

    /**
     * lm-eval's hellaswag: context = preprocess(activity_label + ": " + ctx_a + " " +
     * ctx_b.capitalize()), choices = the preprocessed endings.
     */
    private static EvalDoc hellaswag(Path file, int line, JsonFields row) throws BadRowException {
        String context = row.text("activity_label") + ": " + row.text("ctx_a") + " " + PythonText.capitalize(row.text("ctx_b"));
        List<String> endings = new ArrayList<>();
        for (String ending : row.texts("endings")) endings.add(hellaswagPreprocess(ending));
        // The authors' files have an integer label, the Hub's a string such as "2".
        int gold = row.required("label").isTextual() ? digitLabel(row.text("label"), "label") : index(row, "label");
        return choice(file, line, hellaswagPreprocess(context), endings, gold);
    }

    /** lm-eval's hellaswag {@code preprocess}: WikiHow's bracketed artefacts out, double spaces halved. */
    static String hellaswagPreprocess(String text) {
        String stripped = PythonText.strip(text).replace(" [title]", ". ");
        return HELLASWAG_BRACKETS.matcher(stripped).replaceAll("").replace("  ", " ");
    }

    /** {@code "Question: {goal}\nAnswer:"}, choices [sol1, sol2]. */
    private static EvalDoc piqa(Path file, int line, JsonFields row, Labels labels) throws BadRowException {
        if (row.has("query")) {
            // llm-foundry's query is "Question: {goal}\n".
            return choice(file, line, row.text("query") + "Answer:", row.texts("choices"), index(row, "gold"));
        }
        String goal = row.text("goal");
        List<String> solutions = List.of(row.text("sol1"), row.text("sol2"));
        int gold = row.has("label") ? index(row, "label") : digitLabel(labels.at(line, "label"), "label in " + labels.name());
        return choice(file, line, "Question: " + goal + "\nAnswer:", solutions, gold);
    }

    /**
     * lm-eval's winogrande (partial scoring): each option fills the blank of the sentence up to
     * it, and the rest of the sentence, stripped, is the continuation.
     */
    private static EvalDoc winogrande(Path file, int line, JsonFields row, Labels labels) throws BadRowException {
        if (row.has("context_options")) {
            List<String> contexts = row.texts("context_options");
            int gold = index(row, "gold");
            if (gold >= contexts.size()) throw outOfRange("gold", gold, contexts.size());
            return new EvalDoc.PartialChoice(file, line, contexts, row.text("continuation"), gold);
        }
        String sentence = row.text("sentence");
        int blank = sentence.indexOf('_');
        if (blank < 0) throw new BadRowException("field \"sentence\" has no blank \"_\" for the options to fill");
        String prefix = sentence.substring(0, blank);
        List<String> contexts = List.of(prefix + row.text("option1"), prefix + row.text("option2"));
        String answer = row.has("answer") ? row.text("answer") : labels.at(line, "answer");
        int gold = switch (answer.strip()) {
            case "1" -> 0;
            case "2" -> 1;
            default -> throw new BadRowException("the answer should be \"1\" or \"2\", found \"" + answer + "\"");
        };
        return new EvalDoc.PartialChoice(file, line, contexts, PythonText.strip(sentence.substring(blank + 1)), gold);
    }

    /** {@code "{passage}\nQuestion: {question}?\nAnswer:"}, choices ["no", "yes"]. */
    private static EvalDoc boolq(Path file, int line, JsonFields row) throws BadRowException {
        if (row.has("query")) {
            String query = row.text("query");
            if (!query.startsWith(FOUNDRY_PASSAGE)) {
                throw new BadRowException("field \"query\" should start with \"" + FOUNDRY_PASSAGE + "\" as llm-foundry's BoolQ does");
            }
            return choice(file, line, query.substring(FOUNDRY_PASSAGE.length()) + "\nAnswer:", row.texts("choices"), index(row, "gold"));
        }
        String context = row.text("passage") + "\nQuestion: " + row.text("question") + "?\nAnswer:";
        int gold;
        if (row.has("answer")) {
            gold = row.bool("answer") ? 1 : 0;
        } else if (row.has("label")) {
            gold = index(row, "label");
        } else {
            throw new BadRowException("missing field \"answer\" (the authors' true/false) or \"label\" (the Hub's 0/1)");
        }
        return choice(file, line, context, List.of("no", "yes"), gold);
    }

    /** lm-eval's lambada_openai: all but the last space-separated word, then {@code " " + last word}. */
    private static EvalDoc lambada(Path file, int line, JsonFields row) throws BadRowException {
        if (row.has("continuation")) return new EvalDoc.Cloze(file, line, row.text("context"), row.text("continuation"));
        String text = row.text("text");
        int space = text.lastIndexOf(' ');
        return new EvalDoc.Cloze(file, line, space < 0 ? "" : text.substring(0, space), text.substring(space + 1));
    }

    private static EvalDoc.Choice choice(Path file, int line, String context, List<String> choices, int gold)
            throws BadRowException {
        if (choices.size() < 2) throw new BadRowException("there should be at least 2 choices, found " + choices.size());
        for (int i = 0; i < choices.size(); i++) {
            // acc_norm divides by the choice's length.
            if (choices.get(i).isEmpty()) throw new BadRowException("choice " + i + " is empty");
        }
        if (gold >= choices.size()) throw outOfRange("label", gold, choices.size());
        return new EvalDoc.Choice(file, line, context, choices, gold);
    }

    private static int index(JsonFields row, String field) throws BadRowException {
        long value = row.integer(field);
        if (value < 0 || value > Integer.MAX_VALUE) throw new BadRowException("field \"" + field + "\" should be a 0-based index, found " + value);
        return (int) value;
    }

    private static int digitLabel(String text, String what) throws BadRowException {
        String label = text.strip();
        if (!label.matches("\\d{1,9}")) throw new BadRowException(what + " should be a 0-based index, found \"" + text + "\"");
        return Integer.parseInt(label);
    }

    private static BadRowException outOfRange(String field, int gold, int choices) {
        return new BadRowException("the " + field + " is " + gold + ", but there are " + choices + " choices (0 to " + (choices - 1) + ")");
    }

    /** The data files of {@code split} at {@code path}: the file itself, a folder's only data file, or its files of that split. */
    static List<Path> dataFiles(Path path, CapabilityTask.Split split) {
        List<Path> all = DatasetFiles.fileOrFolder(path, CapabilityReader::isDataFile, ".jsonl, .json or .parquet data files");
        if (all.size() == 1) return all;
        List<Path> ofSplit = all.stream().filter(f -> Arrays.stream(NAME_WORDS.split(
                f.getFileName().toString().toLowerCase(Locale.ROOT))).anyMatch(split.words::contains)).toList();
        if (ofSplit.isEmpty() || ofSplit.stream().map(CapabilityReader::extension).distinct().count() > 1) {
            throw new DatasetException(path + " holds " + all.stream().map(f -> f.getFileName().toString()).toList()
                    + (ofSplit.isEmpty() ? ", none named for the " : ", several named for the ") + split.name().toLowerCase(Locale.ROOT)
                    + " split lm-eval evaluates; name the file with --data FILE");
        }
        return ofSplit;
    }

    private static boolean isDataFile(String name) {
        return name.endsWith(".jsonl") || name.endsWith(".json") || isParquet(name);
    }

    private static boolean isParquet(String name) {
        return name.endsWith(".parquet");
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /**
     * The labels the PIQA and WinoGrande authors keep beside their rows, {@code X-labels.lst}
     * for {@code X.jsonl}, one per line, aligned with the rows' lines.
     */
    private record Labels(Optional<Path> file, List<String> lines) {

        static Labels beside(Path dataFile) {
            String name = dataFile.getFileName().toString();
            Path lst = dataFile.resolveSibling(name.substring(0, name.lastIndexOf('.')) + LABELS_SUFFIX);
            if (!Files.isRegularFile(lst)) return new Labels(Optional.empty(), List.of());
            return new Labels(Optional.of(lst), List.of(DatasetFiles.readText(lst).split("\r?\n", -1)));
        }

        String name() {
            return file.map(f -> f.getFileName().toString()).orElse("no labels file");
        }

        String at(int line, String field) throws BadRowException {
            if (file.isEmpty()) {
                throw new BadRowException("missing field \"" + field + "\", and there is no labels file (*" + LABELS_SUFFIX
                        + ") beside the data file");
            }
            if (line > lines.size() || lines.get(line - 1).isBlank()) {
                throw new BadRowException(name() + " has no label on line " + line);
            }
            return lines.get(line - 1);
        }
    }
}
