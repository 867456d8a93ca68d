package phiscope.toxicity.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.toxicity.SharedDatasets;

class SafeNlpReaderTest {

    @TempDir
    Path dir;

    private static final String ARRAY = """
            [{
                "id": 0, "text": "first", "toxicity_score": 5.0, "label": "hate",
                "target_groups": ["black"]
            }, {
                "id": 1, "text": "second", "toxicity_score": "high", "label": "hate",
                "target_groups": ["asian"]
            }, {
                "id": 2, "toxicity_score": 1.0, "label": "neutral", "target_groups": ["asian"]
            }, {
                "id": 3, "text": "fourth", "toxicity_score": 2, "label": "neutral",
                "target_groups": ["asian", "chinese"]
            }]
            """;

    @Test
    void readsAJsonArrayAndReportsBadRowsWithTheirLines() throws IOException {
        Path file = write("sentences.json", ARRAY);
        Rows<RatedSentence> rows = SafeNlpReader.sentences(file);

        assertEquals(List.of(1, 9), rows.rows().stream().map(RatedSentence::line).toList());
        RatedSentence last = rows.rows().get(1);
        assertEquals("fourth", last.text());
        assertEquals(2.0, last.toxicityScore());
        assertFalse(last.hate());
        assertEquals(List.of("asian", "chinese"), last.targetGroups());

        assertEquals(2, rows.problems().size());
        assertEquals(4, rows.problems().get(0).line());
        assertTrue(rows.problems().get(0).message().contains("\"toxicity_score\" should be a number"), rows.problems().get(0).message());
        assertEquals(7, rows.problems().get(1).line());
        assertEquals("missing field \"text\"", rows.problems().get(1).message());
    }

    @Test
    void readsJsonLinesToo() throws IOException {
        Path file = write("sentences.jsonl", """
                {"id": 7, "text": "a", "toxicity_score": 3.5, "label": "hate", "target_groups": ["women"]}

                {"id": 8, "text": "b", "toxicity_score": 1, "label": "neutral", "target_groups": ["women"]
                {"id": 9, "text": "c", "toxicity_score": 1, "label": "neither", "target_groups": ["women"]}
                """);
        Rows<RatedSentence> rows = SafeNlpReader.sentences(file);
        assertEquals(1, rows.rows().size());
        assertEquals(List.of(3, 4), rows.problems().stream().map(RowProblem::line).toList());
        assertTrue(rows.problems().get(0).message().startsWith("not valid JSON"));
        assertTrue(rows.problems().get(1).message().contains("\"hate\" or \"neutral\""));
    }

    @Test
    void readsPerplexitiesIncludingPythonsNaN() throws IOException {
        Path file = write("perplexities.json", """
                [{"text": "white", "label": "neutral", "id": 2747, "toxicity_score": 2.25,
                  "target_groups": ["all_groups"], "perplexity": NaN},
                 {"text": "x y", "label": "hate", "id": 1, "toxicity_score": 2.25,
                  "target_groups": ["all_groups"], "perplexity": 819.9879150390625}]
                """);
        var rows = SafeNlpReader.withPerplexities(file).rows();
        assertTrue(Double.isNaN(rows.get(0).perplexity()));
        assertEquals(819.9879150390625, rows.get(1).perplexity(), 0);
    }

    @Test
    void skipOrStopIsTheUsersChoice() throws IOException {
        Rows<RatedSentence> rows = SafeNlpReader.sentences(write("sentences.json", ARRAY));
        var report = new StringWriter();
        List<RatedSentence> kept = BadRowPolicy.SKIP.apply(rows, new PrintWriter(report), "choose skip");
        assertEquals(2, kept.size());
        String printed = report.toString();
        assertTrue(printed.contains("sentences.json line 4:"), printed);
        assertTrue(printed.contains("sentences.json line 7: missing field \"text\""), printed);

        var stop = assertThrows(DatasetException.class,
                () -> BadRowPolicy.STOP.apply(rows, new PrintWriter(new StringWriter()), "choose skip"));
        assertTrue(stop.getMessage().startsWith("2 bad row(s); fix them or choose skip to leave them out:"), stop.getMessage());
        assertTrue(stop.getMessage().contains("line 7"), stop.getMessage());
    }

    @Test
    void aDatasetWithNoUsableRowIsRefusedEvenWhenSkipping() throws IOException {
        Rows<RatedSentence> allBad = SafeNlpReader.sentences(write("bad.json", "[{\"id\": 1}, {\"id\": 2}]"));
        var skip = assertThrows(DatasetException.class, () -> BadRowPolicy.SKIP.apply(allBad, new PrintWriter(new StringWriter()), "x"));
        assertEquals("bad.json: every row is bad, so none is left to audit", skip.getMessage());
        Rows<RatedSentence> none = SafeNlpReader.sentences(write("none.json", "[]"));
        var empty = assertThrows(DatasetException.class, () -> BadRowPolicy.STOP.apply(none, new PrintWriter(new StringWriter()), "x"));
        assertEquals("none.json: no rows to audit", empty.getMessage());
    }

    @Test
    void aNullTextIsNamedAsNullAndAnUnknownLabelAsTheValueFound() throws IOException {
        Rows<RatedSentence> rows = SafeNlpReader.sentences(write("sentences.json", """
                [{"id": 0, "text": null, "toxicity_score": 1.0, "label": "neutral", "target_groups": ["x"]},
                 {"id": 1, "text": "a", "toxicity_score": 1.0, "label": "nice", "target_groups": ["x"]}]
                """));
        assertEquals(List.of(), rows.rows());
        assertEquals("sentences.json line 1: field \"text\" is null", rows.problems().get(0).toString());
        assertEquals("sentences.json line 2: field \"label\" should be \"hate\" or \"neutral\", found \"nice\"",
                rows.problems().get(1).toString());
    }

    @Test
    void aFileCutOffInItsLastRowKeepsTheRowsBeforeIt() throws IOException {
        Rows<RatedSentence> rows = SafeNlpReader.sentences(write("cut.json", """
                [{"id": 0, "text": "a", "toxicity_score": 5.0, "label": "hate", "target_groups": ["x"]},
                 {"id": 1, "text": "b", "toxicity_score": 1.0, "label": "neutral", "target_groups": ["x"]},
                 {"id": 2, "text": "c", "toxicity_score": 1.0, "lab"""));
        assertEquals(List.of(0L, 1L), rows.rows().stream().map(RatedSentence::id).toList());
        assertEquals(List.of("cut.json line 3: the file ends inside this row (was it cut off?)"),
                rows.problems().stream().map(RowProblem::toString).toList());

        Rows<RatedSentence> unclosed = SafeNlpReader.sentences(write("unclosed.json",
                "[{\"id\": 0, \"text\": \"a\", \"toxicity_score\": 5.0, \"label\": \"hate\", \"target_groups\": [\"x\"]},\n"));
        assertEquals(1, unclosed.rows().size());
        assertEquals(List.of("unclosed.json line 2: the file ends before the array is closed with ] (was it cut off?)"),
                unclosed.problems().stream().map(RowProblem::toString).toList());
    }

    @Test
    void aFileThatIsNotUtf8IsRefusedAtItsFirstBadByte() throws IOException {
        byte[] latin1 = "[{\"id\": 0,\n \"text\": \"caf\u00e9\"}]".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Path file = Files.write(dir.resolve("latin1.json"), latin1);
        var error = assertThrows(DatasetException.class, () -> SafeNlpReader.sentences(file));
        assertEquals("latin1.json is not UTF-8 text: the byte at offset 24 (line 2) is 0xE9, which UTF-8 does not allow there; "
                + "save the file as UTF-8", error.getMessage());
    }

    @Test
    void aBrokenJsonArrayIsRefusedWithItsLine() throws IOException {
        Path file = write("broken.json", "[{\"id\": 1,\n \"text\": \"a\"\n \"label\": 3}]");
        var error = assertThrows(DatasetException.class, () -> SafeNlpReader.sentences(file));
        assertEquals("broken.json line 3: not valid JSON: Unexpected character ('\"' (code 34)): was expecting comma to separate "
                + "Object entries", error.getMessage());
    }

    @Test
    void theSharedToxiGenFileIsAJsonArrayOf6514Sentences() {
        Rows<RatedSentence> rows = SafeNlpReader.sentences(SharedDatasets.require("safenlp/toxiGen.json"));
        assertEquals(List.of(), rows.problems());
        assertEquals(6514, rows.rows().size());
        assertEquals(2767, rows.rows().stream().filter(RatedSentence::hate).count());
        assertEquals(13, rows.rows().stream().flatMap(s -> s.targetGroups().stream()).distinct().count());
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
