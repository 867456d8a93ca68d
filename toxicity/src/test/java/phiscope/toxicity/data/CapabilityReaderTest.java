package phiscope.toxicity.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.toxicity.SharedDatasets;
import phiscope.toxicity.scoring.Likelihoods.Continuation;

/**
 * Each task's items against what lm-evaluation-harness's task files build from the same rows
 * (lm_eval/tasks/{arc,hellaswag,piqa,winogrande,super_glue/boolq,lambada}), written out by hand,
 * for every layout a task is published in.
 */
class CapabilityReaderTest {

    @TempDir
    Path dir;

    private Rows<EvalDoc> read(CapabilityTask task, String name, String... lines) throws IOException {
        return CapabilityReader.read(task, Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n"));
    }

    private static List<Continuation> requests(Rows<EvalDoc> rows, int item) {
        assertEquals(List.of(), rows.problems());
        return rows.rows().get(item).requests();
    }

    private static List<Continuation> each(String context, String... continuations) {
        return Arrays.stream(continuations).map(c -> new Continuation(context, c)).toList();
    }

    private static int gold(Rows<EvalDoc> rows, int item) {
        return switch (rows.rows().get(item)) {
            case EvalDoc.Choice c -> c.gold();
            case EvalDoc.PartialChoice p -> p.gold();
            case EvalDoc.Cloze c -> throw new AssertionError("a cloze item has no gold choice");
        };
    }

    private static final String ARC_STEM = "An astronomer observes that a planet rotates faster after a meteorite impact. "
            + "Which is the most likely effect of this increase in rotation?";
    private static final List<Continuation> ARC_REQUESTS = each("Question: " + ARC_STEM + "\nAnswer:",
            " Planetary density will decrease.", " Planetary years will become longer.", " Planetary days will become shorter.",
            " Planetary gravity will become stronger.");

    @Test
    void arcIsQuestionAnswerWithTheChoiceTextsInEveryLayout() throws IOException {
        Rows<EvalDoc> ai2 = read(CapabilityTask.ARC_CHALLENGE, "ARC-Challenge-Test.jsonl",
                "{\"id\": \"Mercury_7175875\", \"question\": {\"stem\": \"" + ARC_STEM + "\", \"choices\": ["
                        + "{\"text\": \"Planetary density will decrease.\", \"label\": \"A\"}, {\"text\": \"Planetary years will become longer.\", \"label\": \"B\"}, "
                        + "{\"text\": \"Planetary days will become shorter.\", \"label\": \"C\"}, {\"text\": \"Planetary gravity will become stronger.\", \"label\": \"D\"}]}, "
                        + "\"answerKey\": \"C\"}");
        assertEquals(ARC_REQUESTS, requests(ai2, 0));
        assertEquals(2, gold(ai2, 0));

        Rows<EvalDoc> hub = read(CapabilityTask.ARC_CHALLENGE, "hub.json",
                "{\"id\": \"Mercury_7175875\", \"question\": \"" + ARC_STEM + "\", \"choices\": {\"text\": [\"Planetary density will decrease.\", "
                        + "\"Planetary years will become longer.\", \"Planetary days will become shorter.\", \"Planetary gravity will become stronger.\"], "
                        + "\"label\": [\"1\", \"2\", \"3\", \"4\"]}, \"answerKey\": \"3\"}");
        assertEquals(ARC_REQUESTS, requests(hub, 0));
        assertEquals(2, gold(hub, 0));

        // The first line of llm-foundry's arc_challenge.jsonl.
        Rows<EvalDoc> foundry = read(CapabilityTask.ARC_CHALLENGE, "arc_challenge.jsonl",
                "{\"choices\": [\"Planetary density will decrease.\", \"Planetary years will become longer.\", \"Planetary days will become shorter.\", "
                        + "\"Planetary gravity will become stronger.\"], \"query\": \"Question: " + ARC_STEM + "\", \"gold\": 2}");
        assertEquals(ARC_REQUESTS, requests(foundry, 0));
        assertEquals(2, gold(foundry, 0));
    }

    @Test
    void hellaswagCapitalizesCtxBAndPreprocessesAsLmEval() throws IOException {
        Rows<EvalDoc> rows = read(CapabilityTask.HELLASWAG, "hellaswag_val.jsonl",
                // The first row of rowanz/hellaswag's hellaswag_val.jsonl.
                "{\"ind\": 24, \"activity_label\": \"Roof shingle removal\", \"ctx_a\": \"A man is sitting on a roof.\", \"ctx_b\": \"he\", "
                        + "\"ctx\": \"A man is sitting on a roof. he\", \"split\": \"val\", \"split_type\": \"indomain\", \"label\": 3, "
                        + "\"endings\": [\"is using wrap to wrap a pair of skis.\", \"is ripping level tiles off.\", \"is holding a rubik's cube.\", "
                        + "\"starts pulling up roofing on a roof.\"], \"source_id\": \"activitynet~v_-JhWjGDPHMY\"}",
                // A WikiHow row as the Hub has it (label a string): [title] becomes ". ", other brackets go,
                // double spaces are halved, capitalize() lowers the rest of ctx_b.
                "{\"activity_label\": \"Home and Garden\", \"ctx_a\": \"[header] How to clean a sink [title] Gather your supplies.\", "
                        + "\"ctx_b\": \"you will NEED soap\", \"endings\": [\"[step] Wash  it. \", \" Rinse [substeps] well.\"], \"label\": \"1\"}");
        assertEquals(each("Roof shingle removal: A man is sitting on a roof. He", " is using wrap to wrap a pair of skis.",
                " is ripping level tiles off.", " is holding a rubik's cube.", " starts pulling up roofing on a roof."), requests(rows, 0));
        assertEquals(3, gold(rows, 0));
        // preprocess strips before it drops "[step]", so that ending keeps a space of its own after the delimiter.
        assertEquals(each("Home and Garden: How to clean a sink. Gather your supplies. You will need soap", "  Wash it.", " Rinse well."),
                requests(rows, 1));
        assertEquals(1, gold(rows, 1));
    }

    @Test
    void piqaReadsTheAuthorsLabelsFileAndKeepsTheirTrailingSpaces() throws IOException {
        Path data = dir.resolve("piqa");
        Files.createDirectories(data);
        Files.writeString(data.resolve("valid.jsonl"), """
                {"goal": "How do I ready a guinea pig cage for it's new occupants?", "sol1": "Provide bedding of paper.", "sol2": "Provide bedding of jeans."}
                {"goal": "dresser", "sol1": "replace drawer with bobby pin ", "sol2": "finish, woodgrain with  bobby pin "}
                """);
        Files.writeString(data.resolve("valid-labels.lst"), "0\n1\n");
        Files.writeString(data.resolve("train.jsonl"), "{}\n");
        Files.writeString(data.resolve("README.md"), "not data");
        Rows<EvalDoc> rows = CapabilityReader.read(CapabilityTask.PIQA, data);
        assertEquals(List.of(data.resolve("valid.jsonl"), data.resolve("valid-labels.lst")), rows.files());
        assertEquals(each("Question: How do I ready a guinea pig cage for it's new occupants?\nAnswer:",
                " Provide bedding of paper.", " Provide bedding of jeans."), requests(rows, 0));
        assertEquals(each("Question: dresser\nAnswer:", " replace drawer with bobby pin ", " finish, woodgrain with  bobby pin "),
                requests(rows, 1));
        assertEquals(List.of(0, 1), List.of(gold(rows, 0), gold(rows, 1)));

        // llm-foundry's copy: the query ends with "\n", the solutions are stripped.
        Rows<EvalDoc> foundry = read(CapabilityTask.PIQA, "piqa.jsonl", "{\"choices\": [\"replace drawer with bobby pin\", "
                + "\"finish, woodgrain with  bobby pin\"], \"gold\": 1, \"query\": \"Question: dresser\\n\"}");
        assertEquals(each("Question: dresser\nAnswer:", " replace drawer with bobby pin", " finish, woodgrain with  bobby pin"),
                requests(foundry, 0));
    }

    @Test
    void winograndeScoresTheRestOfTheSentenceAfterEachFilledInOption() throws IOException {
        List<Continuation> expected = List.of(
                new Continuation("Sarah was a much better surgeon than Maria so Sarah", " always got the easier cases."),
                new Continuation("Sarah was a much better surgeon than Maria so Maria", " always got the easier cases."));
        Rows<EvalDoc> authors = read(CapabilityTask.WINOGRANDE, "dev.jsonl", "{\"qID\": \"3QHITW7OYO7Q6B6ISU2UMJB84ZLAQE-2\", "
                + "\"sentence\": \"Sarah was a much better surgeon than Maria so _ always got the easier cases. \", "
                + "\"option1\": \"Sarah\", \"option2\": \"Maria\", \"answer\": \"2\"}");
        assertEquals(expected, requests(authors, 0));
        assertEquals(1, gold(authors, 0));
        Rows<EvalDoc> foundry = read(CapabilityTask.WINOGRANDE, "winogrande.jsonl", "{\"context_options\": [\"Sarah was a much better "
                + "surgeon than Maria so Sarah\", \"Sarah was a much better surgeon than Maria so Maria\"], "
                + "\"continuation\": \"always got the easier cases.\", \"gold\": 1}");
        assertEquals(expected, requests(foundry, 0));
        assertEquals(1, gold(foundry, 0));
    }

    @Test
    void boolqIsPassageQuestionAnswerWithNoAndYes() throws IOException {
        String passage = "Ethanol fuel is ethyl alcohol.";
        List<Continuation> expected = each(passage + "\nQuestion: is ethanol an alcohol?\nAnswer:", " no", " yes");
        Rows<EvalDoc> authors = read(CapabilityTask.BOOLQ, "dev.jsonl",
                "{\"question\": \"is ethanol an alcohol\", \"title\": \"Ethanol fuel\", \"answer\": true, \"passage\": \"" + passage + "\"}");
        Rows<EvalDoc> hub = read(CapabilityTask.BOOLQ, "hub.jsonl",
                "{\"question\": \"is ethanol an alcohol\", \"passage\": \"" + passage + "\", \"idx\": 0, \"label\": 1}");
        Rows<EvalDoc> foundry = read(CapabilityTask.BOOLQ, "boolq.jsonl", "{\"query\": \"Passage: " + passage
                + "\\nQuestion: is ethanol an alcohol?\", \"choices\": [\"no\", \"yes\"], \"gold\": 1}");
        for (Rows<EvalDoc> rows : List.of(authors, hub, foundry)) {
            assertEquals(expected, requests(rows, 0));
            assertEquals(1, gold(rows, 0));
        }
    }

    @Test
    void lambadaSplitsOffTheLastSpaceSeparatedWord() throws IOException {
        Rows<EvalDoc> openai = read(CapabilityTask.LAMBADA_OPENAI, "lambada_test.jsonl",
                "{\"text\": \"\\\"Figured you might as well have backup.\\\"\\n\\nI don't care about signs\"}");
        assertEquals(List.of(new Continuation("\"Figured you might as well have backup.\"\n\nI don't care about", " signs")),
                requests(openai, 0));
        assertInstanceOf(EvalDoc.Cloze.class, openai.rows().getFirst());
        Rows<EvalDoc> foundry = read(CapabilityTask.LAMBADA_OPENAI, "lambada_openai.jsonl",
                "{\"context\": \"I don't care about\", \"continuation\": \"signs\"}");
        assertEquals(List.of(new Continuation("I don't care about", " signs")), requests(foundry, 0));
    }

    @Test
    void mcJsonlScoresEachChoiceAfterTheContextAsGiven() throws IOException {
        Path file = Files.writeString(dir.resolve("mine.jsonl"), "{\"context\": \"2 + 2 =\", \"choices\": [\"4\", \"5\"], \"label\": 0}\n");
        Rows<EvalDoc> rows = CapabilityReader.readMcJsonl(file);
        assertEquals(each("2 + 2 =", " 4", " 5"), requests(rows, 0));
        assertEquals(0, gold(rows, 0));
    }

    @Test
    void badRowsAreNamedByFileAndLine() throws IOException {
        Rows<EvalDoc> rows = read(CapabilityTask.ARC_EASY, "arc.jsonl",
                "{\"query\": \"Question: ok?\", \"choices\": [\"a\", \"b\"], \"gold\": 1}",
                "{\"query\": \"Question: cut off?\", \"choices\": [\"a\", ",
                "{\"query\": \"Question: where is gold?\", \"choices\": [\"a\", \"b\"]}",
                "{\"query\": \"Question: too far?\", \"choices\": [\"a\", \"b\"], \"gold\": 2}",
                "{\"question\": {\"stem\": \"E?\", \"choices\": [{\"text\": \"a\", \"label\": \"A\"}, {\"text\": \"b\", \"label\": \"B\"}]}, \"answerKey\": \"E\"}",
                "{\"id\": \"no question\"}",
                "{\"query\": \"Question: empty?\", \"choices\": [\"a\", \"\"], \"gold\": 0}");
        assertEquals(1, rows.rows().size());
        List<String> problems = rows.problems().stream().map(RowProblem::toString).toList();
        assertTrue(problems.get(0).startsWith("arc.jsonl line 2: not valid JSON"), problems.get(0));
        assertEquals(List.of(
                "arc.jsonl line 3: missing field \"gold\"",
                "arc.jsonl line 4: the label is 2, but there are 2 choices (0 to 1)",
                "arc.jsonl line 5: answerKey \"E\" is not one of the choice labels [A, B]",
                "arc.jsonl line 6: missing field \"question\"; an ARC row is AI2's {\"question\": {\"stem\", \"choices\": "
                        + "[{\"text\", \"label\"}]}, \"answerKey\"}, the Hub's {\"question\", \"choices\": {\"text\", \"label\"}, "
                        + "\"answerKey\"} or llm-foundry's {\"query\", \"choices\", \"gold\"}",
                "arc.jsonl line 7: choice 1 is empty"), problems.subList(1, problems.size()));
    }

    @Test
    void aMissingLabelSaysWhereTheAuthorsKeepIt() throws IOException {
        Rows<EvalDoc> rows = read(CapabilityTask.PIQA, "valid.jsonl", "{\"goal\": \"g\", \"sol1\": \"a\", \"sol2\": \"b\"}");
        assertEquals("valid.jsonl line 1: missing field \"label\", and there is no labels file (*-labels.lst) beside the data file",
                rows.problems().getFirst().toString());
        Files.writeString(dir.resolve("valid-labels.lst"), "2\n");
        Rows<EvalDoc> outOfRange = CapabilityReader.read(CapabilityTask.PIQA, dir.resolve("valid.jsonl"));
        assertEquals("valid.jsonl line 1: the label is 2, but there are 2 choices (0 to 1)", outOfRange.problems().getFirst().toString());
    }

    @Test
    void aFolderWithoutOneFileOfTheSplitIsRefusedNamingItsFiles() throws IOException {
        Files.writeString(dir.resolve("train.jsonl"), "{}\n");
        Files.writeString(dir.resolve("other.jsonl"), "{}\n");
        DatasetException e = assertThrows(DatasetException.class, () -> CapabilityReader.read(CapabilityTask.BOOLQ, dir));
        assertEquals(dir + " holds [other.jsonl, train.jsonl], none named for the validation split lm-eval evaluates; "
                + "name the file with --data FILE", e.getMessage());
    }

    @Test
    void readsEveryRowOfTheSharedCopies() {
        Rows<EvalDoc> piqa = CapabilityReader.read(CapabilityTask.PIQA, SharedDatasets.require("capability/piqa"));
        assertEquals(1838, piqa.rows().size());
        assertEquals(List.of(), piqa.problems());
        record Expected(CapabilityTask task, String file, int rows) {
        }
        for (Expected expected : List.of(new Expected(CapabilityTask.ARC_EASY, "arc_easy.jsonl", 2376),
                new Expected(CapabilityTask.ARC_CHALLENGE, "arc_challenge.jsonl", 1172),
                new Expected(CapabilityTask.PIQA, "piqa.jsonl", 1838),
                new Expected(CapabilityTask.BOOLQ, "boolq.jsonl", 3270),
                new Expected(CapabilityTask.WINOGRANDE, "winogrande.jsonl", 1267),
                new Expected(CapabilityTask.LAMBADA_OPENAI, "lambada_openai.jsonl", 5153))) {
            Rows<EvalDoc> rows = CapabilityReader.read(expected.task(), SharedDatasets.require("capability/llm-foundry/" + expected.file()));
            assertEquals(List.of(), rows.problems(), expected.file());
            assertEquals(expected.rows(), rows.rows().size(), expected.file());
        }
        // The authors' PIQA and llm-foundry's copy are one data set: the same contexts, gold answers and (stripped) choices.
        Rows<EvalDoc> foundry = CapabilityReader.read(CapabilityTask.PIQA, SharedDatasets.require("capability/llm-foundry/piqa.jsonl"));
        for (int i = 0; i < piqa.rows().size(); i++) {
            EvalDoc.Choice a = (EvalDoc.Choice) piqa.rows().get(i);
            EvalDoc.Choice b = (EvalDoc.Choice) foundry.rows().get(i);
            assertEquals(b.context(), a.context(), "line " + (i + 1));
            assertEquals(b.gold(), a.gold(), "line " + (i + 1));
            assertEquals(b.choices(), a.choices().stream().map(String::strip).toList(), "line " + (i + 1));
        }
    }

    /**
     * Parquet files as the Hub serves them, written by pyarrow 25 with its defaults (Snappy), e.g.
     * {@code pq.write_table(pa.table({"question": [...], "choices": [{"text": [...], "label": [...]}],
     * ...}), "ARC-Challenge-test-00000-of-00001.parquet")}; arc-zstd.parquet is the same with
     * {@code compression="zstd"}.
     */
    private static Path parquet(String name) throws URISyntaxException {
        return Path.of(CapabilityReaderTest.class.getResource(name).toURI());
    }

    @Test
    void readsTheHubsParquetRowsLikeTheirJson() throws Exception {
        Rows<EvalDoc> arc = CapabilityReader.read(CapabilityTask.ARC_CHALLENGE, parquet("ARC-Challenge-test-00000-of-00001.parquet"));
        assertEquals(ARC_REQUESTS, requests(arc, 0));
        assertEquals(2, gold(arc, 0));
        assertEquals(each("Question: Which tool measures mass?\nAnswer:", " a balance", " a ruler", " a thermometer"), requests(arc, 1));
        assertEquals(0, gold(arc, 1));

        Rows<EvalDoc> hellaswag = CapabilityReader.read(CapabilityTask.HELLASWAG, parquet("hellaswag-validation.parquet"));
        assertEquals(each("Roof shingle removal: A man is sitting on a roof. He", " is using wrap to wrap a pair of skis.",
                " is ripping level tiles off.", " is holding a rubik's cube.", " starts pulling up roofing on a roof."), requests(hellaswag, 0));
        assertEquals(3, gold(hellaswag, 0));

        Rows<EvalDoc> piqa = CapabilityReader.read(CapabilityTask.PIQA, parquet("piqa-validation.parquet"));
        assertEquals(each("Question: dresser\nAnswer:", " replace drawer with bobby pin ", " finish, woodgrain with  bobby pin "),
                piqa.rows().getFirst().requests());
        assertEquals(List.of("piqa-validation.parquet row 2: the label is 5, but there are 2 choices (0 to 1)"),
                piqa.problems().stream().map(RowProblem::toString).toList());
    }

    @Test
    void aParquetFolderIsReadByItsSplitsShardsAndAnUnreadableCodecIsNamed() throws Exception {
        Path hub = Files.createDirectories(dir.resolve("ARC-Challenge"));
        Files.copy(parquet("ARC-Challenge-test-00000-of-00001.parquet"), hub.resolve("test-00000-of-00001.parquet"));
        Files.copy(parquet("piqa-validation.parquet"), hub.resolve("validation-00000-of-00001.parquet"));
        Rows<EvalDoc> rows = CapabilityReader.read(CapabilityTask.ARC_CHALLENGE, hub);
        assertEquals(List.of(hub.resolve("test-00000-of-00001.parquet")), rows.files());
        assertEquals(2, rows.rows().size());

        DatasetException e = assertThrows(DatasetException.class,
                () -> CapabilityReader.read(CapabilityTask.ARC_CHALLENGE, parquet("arc-zstd.parquet")));
        assertEquals("arc-zstd.parquet is compressed with ZSTD; phiscope reads parquet files that are uncompressed or compressed "
                + "with Snappy (as the Hugging Face Hub's are) or gzip: write it again with one of those", e.getMessage());
        Path notParquet = Files.writeString(dir.resolve("fake.parquet"), "{\"question\": 1}");
        DatasetException garbage = assertThrows(DatasetException.class, () -> CapabilityReader.read(CapabilityTask.ARC_EASY, notParquet));
        assertTrue(garbage.getMessage().startsWith("fake.parquet cannot be read as parquet: "), garbage.getMessage());
    }
}
