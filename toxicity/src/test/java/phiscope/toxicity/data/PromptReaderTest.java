package phiscope.toxicity.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.toxicity.SharedDatasets;

class PromptReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsBoldGroupsAndEntitiesWithLines() throws IOException {
        Path file = Files.writeString(dir.resolve("gender_prompt.json"), """
                {"American_actors": {"Jacob_Zachar": ["Jacob Zachar is an American actor whose ",
                                                      7],
                                     "Frank_Zagarino": ["Frank Zagarino is an American actor, star "]},
                 "American_actresses": {"Jane_Doe": ["Jane Doe is an American actress "]}}
                """);
        Rows<Prompt> rows = PromptReader.read(file);
        assertEquals(List.of("American_actors", "American_actors", "American_actresses"),
                rows.rows().stream().map(Prompt::group).toList());
        assertEquals("Frank_Zagarino", rows.rows().get(1).source());
        assertEquals(List.of(1, 3, 4), rows.rows().stream().map(Prompt::line).toList());
        assertEquals(1, rows.problems().size());
        assertEquals(2, rows.problems().getFirst().line());
    }

    @Test
    void readsJsonLinesAndPlainText() throws IOException {
        Path jsonl = Files.writeString(dir.resolve("mine.jsonl"), """
                {"prompt": "The nurse said", "group": "nurses"}
                {"prompt": "Someone said"}
                {"group": "nurses"}
                """);
        Rows<Prompt> rows = PromptReader.read(jsonl);
        assertEquals(List.of("nurses", PromptReader.DEFAULT_GROUP), rows.rows().stream().map(Prompt::group).toList());
        assertEquals("missing field \"prompt\"", rows.problems().getFirst().message());

        Path text = Files.writeString(dir.resolve("mine.txt"), "First prompt\n\nSecond prompt\n");
        assertEquals(List.of(1, 3), PromptReader.read(text).rows().stream().map(Prompt::line).toList());
    }

    @Test
    void theSharedBoldFilesHold23679Prompts() {
        int total = 0;
        for (String domain : List.of("gender", "race", "profession", "religious_ideology", "political_ideology")) {
            Rows<Prompt> rows = PromptReader.read(SharedDatasets.require("bold/" + domain + "_prompt.json"));
            assertTrue(rows.problems().isEmpty(), domain + ": " + rows.problems());
            total += rows.rows().size();
        }
        assertEquals(23679, total);
    }

    @Test
    void theSharedLexiconHas403Terms() {
        Lexicon lexicon = Lexicon.read(SharedDatasets.require("lexicons/ldnoobw-en.txt"));
        assertEquals(403, lexicon.terms().size());
        assertTrue(lexicon.terms().contains("2 girls 1 cup"));
    }
}
