package phiscope.toxicity.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a WinoBias data folder: {pro,anti}_stereotyped_type{1,2}.txt.{dev,test} with lines like
 * {@code 2 The developer argued with [the designer] because [her] idea cannot be implemented.}
 * (first bracket: the referent, next: the pronoun), and male_occupations.txt /
 * female_occupations.txt, used to find the other occupation in each sentence.
 */
public final class WinoBiasReader {

    private static final Pattern FILE_NAME = Pattern.compile("(pro|anti)_stereotyped_type([12])\\.txt\\.(dev|test)");
    private static final Pattern NUMBERED = Pattern.compile("^\\d+\\s+(.*)$");
    private static final Pattern BRACKET = Pattern.compile("\\[([^\\[\\]]+)]");
    private static final Pattern ARTICLE = Pattern.compile("^(?i:the|a|an)\\s+");
    private static final Set<String> SPLITS = Set.of("dev", "test");

    private WinoBiasReader() {
    }

    /** @param splits which of "dev" and "test" to read */
    public static Rows<WinoBiasSentence> read(Path folder, Collection<String> splits) {
        for (String split : splits) {
            if (!SPLITS.contains(split)) throw new IllegalArgumentException("unknown WinoBias split: " + split);
        }
        Path maleFile = folder.resolve("male_occupations.txt");
        Path femaleFile = folder.resolve("female_occupations.txt");
        List<Occupation> occupations = new ArrayList<>(occupations(maleFile));
        occupations.addAll(occupations(femaleFile));
        List<Path> files = DatasetFiles.fileOrFolder(folder, name -> {
            Matcher m = FILE_NAME.matcher(name);
            return m.matches() && splits.contains(m.group(3));
        }, "WinoBias *_stereotyped_type*.txt.{dev,test} files");

        List<WinoBiasSentence> rows = new ArrayList<>();
        List<RowProblem> problems = new ArrayList<>();
        for (Path file : files) {
            Matcher name = FILE_NAME.matcher(file.getFileName().toString());
            if (!name.matches()) throw new IllegalStateException(file.toString());
            boolean pro = name.group(1).equals("pro");
            int type = Integer.parseInt(name.group(2));
            String split = name.group(3);
            String[] lines = DatasetFiles.readText(file).split("\r?\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isBlank()) continue;
                try {
                    rows.add(sentence(file, i + 1, type, pro, split, lines[i], occupations));
                } catch (BadRowException e) {
                    problems.add(new RowProblem(file, i + 1, e.getMessage()));
                }
            }
        }
        List<Path> read = new ArrayList<>(files);
        read.add(maleFile);
        read.add(femaleFile);
        return new Rows<>(rows, problems, read);
    }

    /** An occupation and how to find it as a whole word in a lower-cased sentence. */
    private record Occupation(String name, Pattern word) {
        static Occupation of(String name) {
            return new Occupation(name, Pattern.compile("\\b" + Pattern.quote(name.toLowerCase(Locale.ROOT)) + "\\b"));
        }
    }

    private static List<Occupation> occupations(Path file) {
        List<Occupation> list = DatasetFiles.readText(file).lines().map(String::strip).filter(s -> !s.isEmpty())
                .map(Occupation::of).toList();
        if (list.isEmpty()) throw new DatasetException(file + " lists no occupations");
        return list;
    }

    private static WinoBiasSentence sentence(Path file, int line, int type, boolean pro, String split, String raw,
                                             List<Occupation> occupations) throws BadRowException {
        Matcher numbered = NUMBERED.matcher(raw.strip());
        if (!numbered.matches()) throw new BadRowException("expected \"<number> <sentence>\"");
        String marked = numbered.group(1);
        List<String> brackets = new ArrayList<>();
        Matcher bracket = BRACKET.matcher(marked);
        while (bracket.find()) brackets.add(bracket.group(1).strip());
        if (brackets.size() < 2) throw new BadRowException("expected a [referent] and a [pronoun] in brackets");
        String text = marked.replace("[", "").replace("]", "");
        String referent = ARTICLE.matcher(brackets.getFirst()).replaceFirst("");
        String pronoun = brackets.get(1);
        if (occupations.stream().noneMatch(o -> o.name().equalsIgnoreCase(referent))) {
            throw new BadRowException("the referent \"" + referent + "\" is not in the occupation lists");
        }
        String distractor = firstOtherOccupation(text, referent, occupations);
        if (distractor == null) throw new BadRowException("no second occupation from the lists in the sentence");
        return new WinoBiasSentence(file, line, type, pro, split, text, pronoun, referent, distractor);
    }

    /** The listed occupation other than the referent that appears first (as a whole word). */
    private static String firstOtherOccupation(String text, String referent, List<Occupation> occupations) {
        String lower = text.toLowerCase(Locale.ROOT);
        String best = null;
        int bestAt = Integer.MAX_VALUE;
        for (Occupation occupation : occupations) {
            if (occupation.name().equalsIgnoreCase(referent)) continue;
            Matcher m = occupation.word().matcher(lower);
            if (m.find() && m.start() < bestAt) {
                bestAt = m.start();
                best = occupation.name();
            }
        }
        return best;
    }
}
