package phiscope.toxicity.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        assertTrue(error.getMessage().contains("stereo_antistereo"));
    }

    @Test
    void theSharedFileHas1508PairsOfNineBiasTypes() {
        Rows<CrowsPair> rows = CrowsPairsReader.read(SharedDatasets.require("crows-pairs/crows_pairs_anonymized.csv"));
        assertEquals(List.of(), rows.problems());
        assertEquals(1508, rows.rows().size());
        assertEquals(9, rows.rows().stream().map(CrowsPair::biasType).distinct().count());
    }
}
