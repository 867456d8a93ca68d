package phiscope.probes.data;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import phiscope.probes.io.ProbesJson;

/**
 * A probing dataset: JSONL lines {@code {"text": ..., "label": ..., "group": ...}} (group optional;
 * labels are strings, numbers or booleans, read as text). Classes are the labels in sorted order,
 * so for a binary dataset the second ("true", "positive", "1") is the positive class.
 */
public record ProbingDataset(String source, List<LabeledText> examples, List<String> classes) {

    private static final ObjectMapper JSON = ProbesJson.MAPPER;

    public ProbingDataset {
        examples = List.copyOf(examples);
        classes = List.copyOf(classes);
    }

    /** The examples in {@code examples}, with classes taken from them. */
    public static ProbingDataset of(String source, List<LabeledText> examples) {
        Set<String> labels = new TreeSet<>();
        examples.forEach(e -> labels.add(e.label()));
        if (labels.size() < 2) {
            throw new IllegalArgumentException(source + ": a probing dataset needs at least two labels, found " + labels);
        }
        return new ProbingDataset(source, examples, List.copyOf(labels));
    }

    /**
     * Reads {@code {"text": ..., "label": ...}} objects (and an optional {@code "group"}), one per
     * line, or all in one JSON array (as SafeNLP publishes ToxiGen and ImplicitHate); other fields are ignored.
     */
    public static ProbingDataset load(Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": file not found");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<LabeledText> examples = new ArrayList<>();
        if (content.stripLeading().startsWith("[")) {
            JsonNode array;
            try {
                array = JSON.readTree(content);
            } catch (JacksonException e) {
                throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage());
            }
            for (int i = 0; i < array.size(); i++) {
                examples.add(parse(array.get(i), file + ": item " + i + ": ", i + 1));
            }
        } else {
            List<String> lines = content.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).isBlank()) {
                    examples.add(parseLine(file, i + 1, lines.get(i)));
                }
            }
        }
        if (examples.isEmpty()) {
            throw new IllegalArgumentException(file + ": no examples (expected one JSON object per line, or a JSON array of them)");
        }
        return of(file.toString(), examples);
    }

    private static LabeledText parseLine(Path file, int line, String text) {
        String where = file + ":" + line + ": ";
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(where + "not valid JSON: " + e.getOriginalMessage());
        }
        return parse(node, where, line);
    }

    private static LabeledText parse(JsonNode node, String where, int line) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(where + "expected a JSON object {\"text\": ..., \"label\": ...}");
        }
        JsonNode value = node.get("text");
        if (value == null || !value.isTextual()) {
            throw new IllegalArgumentException(where + "needs a string field \"text\"");
        }
        if (value.asText().isEmpty()) {
            throw new IllegalArgumentException(where + "\"text\" is empty");
        }
        JsonNode label = node.get("label");
        if (label == null || !(label.isTextual() || label.isNumber() || label.isBoolean())) {
            throw new IllegalArgumentException(where + "needs a field \"label\" (a string, number or boolean)");
        }
        JsonNode group = node.get("group");
        if (group != null && !(group.isTextual() || group.isNumber())) {
            throw new IllegalArgumentException(where + "\"group\" must be a string or a number");
        }
        return new LabeledText(value.asText(), label.asText(), group == null ? null : group.asText(), line);
    }

    public int size() {
        return examples.size();
    }

    public List<String> texts() {
        return examples.stream().map(LabeledText::text).toList();
    }

    /** Each example's class index in {@link #classes()}. */
    public int[] labels() {
        return examples.stream().mapToInt(e -> classes.indexOf(e.label())).toArray();
    }

    /** The examples at these indices, keeping this dataset's classes. */
    public ProbingDataset subset(int[] indices) {
        List<LabeledText> picked = new ArrayList<>();
        for (int i : indices) {
            picked.add(examples.get(i));
        }
        return new ProbingDataset(source, picked, classes);
    }

    /** Train and test indices into this dataset. */
    public record Split(int[] train, int[] test) {
    }

    /** A stratified random split: about {@code testFraction} of each class is held out. */
    public Split split(double testFraction, long seed) {
        requireFraction(testFraction);
        SplittableRandom random = new SplittableRandom(seed);
        List<Integer> train = new ArrayList<>();
        List<Integer> test = new ArrayList<>();
        int[] labels = labels();
        for (int c = 0; c < classes.size(); c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == c) {
                    members.add(i);
                }
            }
            shuffle(members, random);
            int held = members.size() < 2 ? 0 : (int) Math.max(1, Math.min(members.size() - 1, Math.round(testFraction * members.size())));
            test.addAll(members.subList(0, held));
            train.addAll(members.subList(held, members.size()));
        }
        return checked(train, test, "the random split");
    }

    /**
     * A split that keeps each group whole: groups are shuffled and held out until about
     * {@code testFraction} of the examples are, so near-duplicates never straddle the split.
     */
    public Split splitByGroup(double testFraction, long seed) {
        requireFraction(testFraction);
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < examples.size(); i++) {
            LabeledText e = examples.get(i);
            if (e.group() == null) {
                throw new IllegalArgumentException(source + ":" + e.line() + ": has no \"group\"; a split by group needs one on every line");
            }
            groups.computeIfAbsent(e.group(), g -> new ArrayList<>()).add(i);
        }
        if (groups.size() < 2) {
            throw new IllegalArgumentException(source + ": a split by group needs at least two groups, found " + groups.keySet());
        }
        List<String> order = new ArrayList<>(groups.keySet());
        shuffle(order, new SplittableRandom(seed));
        List<Integer> test = new ArrayList<>();
        List<Integer> train = new ArrayList<>();
        double target = testFraction * examples.size();
        for (String g : order) {
            boolean keepOneForTraining = train.isEmpty() && g.equals(order.getLast());
            (test.size() < target && !keepOneForTraining ? test : train).addAll(groups.get(g));
        }
        return checked(train, test, "the split by group");
    }

    private Split checked(List<Integer> train, List<Integer> test, String what) {
        Collections.sort(train);
        Collections.sort(test);
        if (train.isEmpty() || test.isEmpty()) {
            throw new IllegalArgumentException(source + ": " + what + " leaves " + train.size() + " training and " + test.size()
                    + " test examples; use more data or another test fraction");
        }
        Set<Integer> trainClasses = new HashSet<>();
        int[] labels = labels();
        train.forEach(i -> trainClasses.add(labels[i]));
        if (trainClasses.size() < classes.size()) {
            throw new IllegalArgumentException(source + ": " + what + " leaves a class out of the training set; use more data "
                    + "or another seed");
        }
        return new Split(train.stream().mapToInt(Integer::intValue).toArray(), test.stream().mapToInt(Integer::intValue).toArray());
    }

    private static void requireFraction(double testFraction) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("the test fraction must be between 0 and 1 (exclusive), not " + testFraction);
        }
    }

    private static <T> void shuffle(List<T> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, random.nextInt(i + 1));
        }
    }
}
