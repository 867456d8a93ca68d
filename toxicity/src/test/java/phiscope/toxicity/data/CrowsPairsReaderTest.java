package phiscope.toxicity.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.toxicity.SharedDatasets;

class CrowsPairsReaderTest {

    @TempDir
    Path dir;

    @Test
    void quotedFieldsMayHoldCommasQuotesAndLineBreaks() throws IOException {
        Path file = Files.writeString(dir.resolve("pairs.csv"), """
                ,sent_more,sent_less,stereo_antistereo,bias_type,annotations
                0,"Poor people, he said, are ""lazy"".",Rich people are lazy.,stereo,socioeconomic,"[['socioeconomic']]"
                1,"A line
                break",Another,antistereo,gender,x
                2,Only three,fields
                3,a,b,sideways,age,x
                4,"a",,stereo,age,x
                5,Last row,Without newline,stereo,age,x""");
        Rows<CrowsPair> rows = CrowsPairsReader.read(file);

        assertEquals(List.of(2, 3, 8), rows.rows().stream().map(CrowsPair::line).toList());
        CrowsPair first = rows.rows().get(0);
        assertEquals("Poor people, he said, are \"lazy\".", first.sentMore());
        assertEquals("socioeconomic", first.biasType());
        assertEquals("stereo", first.direction());
        assertEquals("A line\nbreak", rows.rows().get(1).sentMore());
        assertTrue(rows.rows().get(1).antiStereo());

        assertEquals(List.of(5, 6, 7), rows.problems().stream().map(RowProblem::line).toList());
        assertTrue(rows.problems().get(0).message().startsWith("missing field \"stereo_antistereo\""), rows.problems().get(0).message());
        assertTrue(rows.problems().get(1).message().contains("\"stereo\" or \"antistereo\""));
        assertEquals("empty field \"sent_less\"", rows.problems().get(2).message());
    }

    @Test
    void anUnclosedQuoteIsReportedAtTheRecordItStarts() throws IOException {
        Path file = Files.writeString(dir.resolve("pairs.csv"),
                "sent_more,sent_less,stereo_antistereo,bias_type\na,b,stereo,age\n\"open,b,stereo,age\nc,d,stereo,age\n");
        Rows<CrowsPair> rows = CrowsPairsReader.read(file);
        assertEquals(1, rows.rows().size());
        assertEquals(3, rows.problems().getFirst().line());
    }

    @Test
    void aMissingColumnRefusesTheFile() throws IOException {
        Path file = Files.writeString(dir.resolve("pairs.csv"), "sent_more,sent_less,bias_type\na,b,age\n");
        var error = assertThrows(DatasetException.class, () -> CrowsPairsReader.read(file));
        assertEquals("pairs.csv: the header has no column \"stereo_antistereo\" (found [sent_more, sent_less, bias_type])",
                error.getMessage());
    }

    private String refusal(String content) throws IOException {
        Path file = Files.writeString(dir.resolve("pairs.csv"), content);
        return assertThrows(DatasetException.class, () -> CrowsPairsReader.read(file)).getMessage();
    }

    @Test
    void anEmptyFileAHeaderAloneAndALoneOpenQuoteAreRefusedSayingSo() throws IOException {
        String empty = "pairs.csv is empty; a CrowS-Pairs file starts with a header line naming its columns "
                + "(sent_more, sent_less, stereo_antistereo, bias_type)";
        assertEquals(empty, refusal(""));
        assertEquals(empty, refusal("\n\n"));
        assertEquals("pairs.csv has its header (line 1) but no pairs after it", refusal("sent_more,sent_less,stereo_antistereo,bias_type\n"));
        assertEquals("pairs.csv has its header (line 2) but no pairs after it", refusal("\nsent_more,sent_less,stereo_antistereo,bias_type"));
        assertEquals("pairs.csv line 1: a quoted field is not closed before the end of the file", refusal("\"sent_more,sent_less\n"));
    }

    @Test
    void aFileThatIsNotUtf8TextIsRefusedAtItsFirstBadByte() throws IOException {
        byte[] bytes = "sent_more,sent_less,stereo_antistereo,bias_type\nok,fine,stereo,age\nbad \u00ff\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(dir.resolve("crows.csv"), bytes);
        var error = assertThrows(DatasetException.class, () -> CrowsPairsReader.read(dir.resolve("crows.csv")));
        assertEquals("crows.csv is not UTF-8 text: the byte at offset 71 (line 3) is 0xFF, which UTF-8 does not allow there; "
                + "save the file as UTF-8", error.getMessage());

        byte[] noise = new byte[3000];
        new Random(22).nextBytes(noise);
        Files.write(dir.resolve("crows.csv"), noise);
        var random = assertThrows(DatasetException.class, () -> CrowsPairsReader.read(dir.resolve("crows.csv")));
        assertTrue(random.getMessage().matches("crows\\.csv is not UTF-8 text: the byte at offset \\d+ \\(line \\d+\\) is 0x[0-9A-F]{2}, .*"),
                random.getMessage());
    }

    @Test
    void theSharedFileHas1508PairsOfNineBiasTypes() {
        Rows<CrowsPair> rows = CrowsPairsReader.read(SharedDatasets.require("crows-pairs/crows_pairs_anonymized.csv"));
        assertEquals(List.of(), rows.problems());
        assertEquals(1508, rows.rows().size());
        assertEquals(9, rows.rows().stream().map(CrowsPair::biasType).distinct().count());
    }
}
