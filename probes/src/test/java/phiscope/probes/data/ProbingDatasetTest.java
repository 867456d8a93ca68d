package phiscope.probes.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.probes.Nanophi;

class ProbingDatasetTest {

    @Test
    void malformedLinesAreReportedWithTheirLineNumbers(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        String good = "{\"text\": \"a\", \"label\": 1}\n";
        for (String[] bad : new String[][] {
            {"{\"text\": \"b\", \"label\": 0", "bad.jsonl:3: not valid JSON"},
            {"[1, 2]", "bad.jsonl:3: expected a JSON object"},
            {"{\"label\": 0}", "bad.jsonl:3: needs a string field \"text\""},
            {"{\"text\": \"b\"}", "bad.jsonl:3: needs a field \"label\""},
            {"{\"text\": \"b\", \"label\": [0]}", "bad.jsonl:3: needs a field \"label\""},
            {"{\"text\": \"\", \"label\": 0}", "bad.jsonl:3: \"text\" is empty"}}) {
            Files.writeString(file, good + "\n" + bad[0] + "\n");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProbingDataset.load(file));
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
        Files.writeString(file, good + good);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProbingDataset.load(file)).getMessage()
                .contains("at least two labels"));
        assertThrows(IllegalArgumentException.class, () -> ProbingDataset.load(dir.resolve("missing.jsonl")));
    }

    @Test
    void aJsonArrayOfObjectsIsReadAsSafeNlpPublishesToxiGen(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("toxiGen.json");
        Files.writeString(file, "[{\"id\": 0, \"text\": \"they are savages\", \"toxicity_score\": 5.0, \"label\": \"hate\", "
                + "\"target_groups\": [\"x\"]},\n {\"id\": 1, \"text\": \"they vote\", \"label\": \"neutral\"}]\n");
        ProbingDataset d = ProbingDataset.load(file);
        assertEquals(List.of("hate", "neutral"), d.classes());
        assertEquals(List.of("they are savages", "they vote"), d.texts());
        Files.writeString(file, "[{\"text\": \"a\", \"label\": 1}, {\"text\": \"b\"}]");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProbingDataset.load(file));
        assertEquals(file + ": item 1: needs a field \"label\" (a string, number or boolean)", e.getMessage());
    }

    @Test
    void labelsOfAnyJsonTypeBecomeSortedClasses(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("d.jsonl");
        Files.writeString(file, "{\"text\": \"x\", \"label\": true}\n{\"text\": \"y\", \"label\": false}\n{\"text\": \"z\", \"label\": true}\n");
        ProbingDataset d = ProbingDataset.load(file);
        assertEquals(List.of("false", "true"), d.classes());
        assertEquals("[1, 0, 1]", Arrays.toString(d.labels()));
    }

    @Test
    void splitsAreStratifiedOrKeepGroupsWhole() {
        ProbingDataset data = ProbingDataset.load(Nanophi.NOTEBOOKS.resolve("true-false/true-false.jsonl"));
        ProbingDataset.Split random = data.split(0.25, 1);
        assertEquals(data.size(), random.train().length + random.test().length);
        int[] labels = data.labels();
        long testTrue = Arrays.stream(random.test()).filter(i -> labels[i] == 1).count();
        long allTrue = Arrays.stream(labels).filter(l -> l == 1).count();
        assertEquals(Math.round(allTrue * 0.25), testTrue, "a quarter of each class is held out");

        ProbingDataset.Split byGroup = data.splitByGroup(0.25, 1);
        Set<String> trainGroups = new HashSet<>();
        Arrays.stream(byGroup.train()).forEach(i -> trainGroups.add(data.examples().get(i).group()));
        for (int i : byGroup.test()) {
            assertTrue(!trainGroups.contains(data.examples().get(i).group()), "group on both sides: " + data.examples().get(i).group());
        }
        assertEquals(0.25, byGroup.test().length / (double) data.size(), 0.05);
        assertThrows(IllegalArgumentException.class, () -> data.split(1.5, 0));
    }
}
