package phiscope.toxicity.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.toxicity.FakeModel;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.SharedDatasets;
import phiscope.toxicity.scoring.ScoringModel;
import picocli.CommandLine;

/**
 * {@code phiscope report} on run folders made by running ToxiGen, CrowS-Pairs and PIQA with two
 * fake models: the baseline, and an "edited" one that finds some words more likely.
 */
class ReportCommandTest {

    @TempDir
    static Path dir;

    static final ScoringModel BASELINE = new FakeModel("fake-base", FakeModel::byLength, 0);
    /**
     * Prefers the neutral ToxiGen word, PIQA's spoon, two of BBQ's "unknown" answers and WinoBias's
     * female-stereotyped occupations, so that each benchmark's numbers move (BBQ's ambiguous
     * accuracy and WinoBias's gap are 0 under the baseline).
     */
    static final ScoringModel EDITED = new FakeModel("fake-edited", FakeModel.preferring("kind", "spoon", "nice", "Unknown",
            "Undetermined", "nurse", "teacher", "cashier", "attendant", "assistant", "secretary",
            "housekeeper", "hairdresser", "receptionist", "cleaner"), 0);

    static Path toxigen;
    static Path crows;
    static Path piqa;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void data() throws IOException {
        StringBuilder sentences = new StringBuilder("[");
        for (int i = 0; i < 48; i++) {
            boolean hate = i % 2 == 0;
            String group = i % 4 < 2 ? "women" : "asian";
            sentences.append(i == 0 ? "" : ",").append(ReproducibleJson.MAPPER.writeValueAsString(ReproducibleJson.object()
                    .put("id", i).put("text", "the " + group + " in room " + i + " are " + (hate ? "awful idiots" + " really".repeat(i % 3) : "kind"))
                    .put("toxicity_score", 1.0 + i % 5).put("label", hate ? "hate" : "neutral")
                    .set("target_groups", ReproducibleJson.MAPPER.createArrayNode().add(group))));
        }
        toxigen = Files.writeString(dir.resolve("toxiGen.json"), sentences.append("]"));
        StringBuilder pairs = new StringBuilder(",sent_more,sent_less,stereo_antistereo,bias_type,annotations,anon_writer,anon_annotators\n");
        for (int i = 0; i < 30; i++) {
            pairs.append(i).append(",women in town ").append(i).append(" are ").append(i % 3 == 0 ? "nice" : "bad").append(" drivers.,men in town ")
                    .append(i).append(" are bad drivers").append(" indeed".repeat(i % 2)).append(".,stereo,").append(i % 2 == 0 ? "gender" : "age")
                    .append(",[],a,[]\n");
        }
        crows = Files.writeString(dir.resolve("crows.csv"), pairs);
        piqa = Files.createDirectories(dir.resolve("piqa"));
        StringBuilder rows = new StringBuilder();
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            rows.append(ReproducibleJson.MAPPER.writeValueAsString(ReproducibleJson.object().put("goal", "how to stir " + i)
                    .put("sol1", "use a " + "big ".repeat(i % 3) + "spoon").put("sol2", "use a fork" + " now".repeat(i % 4)))).append('\n');
            labels.append(i % 2).append('\n');
        }
        Files.writeString(piqa.resolve("valid.jsonl"), rows);
        Files.writeString(piqa.resolve("valid-labels.lst"), labels);
    }

    /** Runs {@code arguments} through a command with this model, failing the test unless it succeeds. */
    private static Path run(Function<ModelOpener, Object> command, ScoringModel model, Path folder, String... arguments) {
        StringWriter errors = new StringWriter();
        CommandLine cli = new CommandLine(command.apply((options, intervention) -> model));
        cli.setOut(new PrintWriter(new StringWriter()));
        cli.setErr(new PrintWriter(errors));
        List<String> all = new ArrayList<>(List.of(arguments));
        all.addAll(List.of("--out", folder.toString()));
        assertEquals(0, cli.execute(all.toArray(String[]::new)), errors.toString());
        return folder;
    }

    private static Path toxigenRun(ScoringModel model, String name) {
        return run(AuditCommand::new, model, dir.resolve(name), "toxigen", "--data", toxigen.toString(), "--batch-size", "8");
    }

    private static Path crowsRun(ScoringModel model, String name) {
        return run(AuditCommand::new, model, dir.resolve(name), "crows-pairs", "--data", crows.toString());
    }

    private static Path piqaRun(ScoringModel model, String name, String... options) {
        List<String> arguments = new ArrayList<>(List.of("piqa", "--data", piqa.toString()));
        arguments.addAll(List.of(options));
        return run(EvalCommand::new, model, dir.resolve(name), arguments.toArray(String[]::new));
    }

    private int report(Object... arguments) {
        CommandLine cli = new CommandLine(new ReportCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(java.util.Arrays.stream(arguments).map(Object::toString).toArray(String[]::new));
    }

    private static JsonNode json(Path file) throws IOException {
        return ReproducibleJson.MAPPER.readTree(file.toFile());
    }

    private static JsonNode row(JsonNode comparison, String benchmark, String metric, String slice) {
        for (JsonNode row : comparison.get("metrics")) {
            if (row.get("benchmark").asText().equals(benchmark) && row.get("metric").asText().equals(metric)
                    && row.get("slice").asText().equals(slice)) {
                return row;
            }
        }
        throw new AssertionError("no row " + benchmark + " " + metric + " " + slice + " in " + comparison);
    }

    @Test
    void runsOfTheSameItemsArePairedAndTheReportHoldsEachRunsOwnNumbers() throws IOException {
        Path baseToxigen = toxigenRun(BASELINE, "base-toxigen");
        Path baseCrows = crowsRun(BASELINE, "base-crows");
        Path basePiqa = piqaRun(BASELINE, "base-piqa");
        // The edited runs pack items differently: the batch size does not change which items there are.
        Path editedToxigen = run(AuditCommand::new, EDITED, dir.resolve("edited-toxigen"), "toxigen", "--data", toxigen.toString(),
                "--batch-size", "5");
        Path editedCrows = crowsRun(EDITED, "edited-crows");
        Path editedPiqa = piqaRun(EDITED, "edited-piqa");
        Path folder = dir.resolve("report");
        assertEquals(0, report("--baseline", baseToxigen, baseCrows, basePiqa, "--edited", editedToxigen, editedCrows, editedPiqa,
                "--out", folder), err.toString());

        JsonNode comparison = json(folder.resolve("comparison.json"));
        assertEquals("fake-base", comparison.get("baseline").get("label").asText());
        assertEquals("fake-edited", comparison.get("edited").get(0).get("label").asText());
        assertEquals(baseToxigen.toString(), comparison.get("baseline").get("runs").get("toxigen").asText());
        for (JsonNode row : comparison.get("metrics")) {
            assertTrue(row.get("test").asText().startsWith("paired "), row.toString());
        }
        assertEquals("paired bootstrap", row(comparison, "toxigen", "safety score", "pooled").get("test").asText());
        assertEquals("paired normal", row(comparison, "piqa", "acc", "all").get("test").asText());

        // Each run's number in the report is the one its own summary holds.
        JsonNode baseScores = json(baseToxigen.resolve("summary.json"));
        JsonNode editedScores = json(editedToxigen.resolve("summary.json"));
        for (String group : List.of("asian", "women", "pooled")) {
            JsonNode row = row(comparison, "toxigen", "safety score", group);
            JsonNode b = group.equals("pooled") ? baseScores.get("pooled") : baseScores.get("groups").get(group);
            JsonNode e = group.equals("pooled") ? editedScores.get("pooled") : editedScores.get("groups").get(group);
            assertEquals(b.get("score").doubleValue(), row.get("baseline").doubleValue(), 1e-15, group);
            assertEquals(e.get("score").doubleValue(), row.get("edited").doubleValue(), 1e-15, group);
            assertEquals(b.get("n_hate").intValue() + b.get("n_neutral").intValue(), row.get("n_baseline").intValue(), group);
        }
        JsonNode baseCrowsSummary = json(baseCrows.resolve("summary.json"));
        JsonNode editedCrowsSummary = json(editedCrows.resolve("summary.json"));
        for (String slice : List.of("all", "age", "gender")) {
            JsonNode row = row(comparison, "crows-pairs", "pct_stereotype", slice);
            assertEquals(baseCrowsSummary.get("pct_stereotype").get(slice).doubleValue(), row.get("baseline").doubleValue(), 1e-15);
            assertEquals(editedCrowsSummary.get("pct_stereotype").get(slice).doubleValue(), row.get("edited").doubleValue(), 1e-15);
        }
        assertEquals(baseCrowsSummary.get("likelihood_diff").doubleValue(),
                row(comparison, "crows-pairs", "likelihood_diff", "all").get("baseline").doubleValue(), 1e-12);
        for (String metric : List.of("acc", "acc_norm", "acc_bytes")) {
            JsonNode row = row(comparison, "piqa", metric, "all");
            assertEquals(json(basePiqa.resolve("summary.json")).get(metric).doubleValue(), row.get("baseline").doubleValue(), 1e-15);
            assertEquals(json(editedPiqa.resolve("summary.json")).get(metric).doubleValue(), row.get("edited").doubleValue(), 1e-15);
            assertEquals(40, row.get("n_baseline").intValue());
        }
        JsonNode acc = row(comparison, "piqa", "acc", "all");
        assertEquals(acc.get("edited").doubleValue() - acc.get("baseline").doubleValue(), acc.get("difference").doubleValue(), 1e-15);
        assertTrue(acc.get("ci_low").doubleValue() <= acc.get("difference").doubleValue()
                && acc.get("difference").doubleValue() <= acc.get("ci_high").doubleValue(), acc.toString());

        String printed = out.toString();
        assertTrue(printed.contains("benchmark") && printed.contains("ci_low") && printed.contains("paired bootstrap"), printed);
        assertTrue(printed.contains("written: " + folder.resolve("comparison.json")), printed);
        String csv = Files.readString(folder.resolve("comparison.csv"));
        assertTrue(csv.startsWith("benchmark,metric,slice,baseline,model,edited,difference,ci_low,ci_high,test,significant,n_baseline,n_edited\n"), csv);
        assertEquals(comparison.get("metrics").size() + 1, csv.lines().count());
        String markdown = Files.readString(folder.resolve("comparison.md"));
        assertTrue(markdown.contains("![baseline vs edited](comparison.png)"), markdown);
        assertTrue(markdown.contains("| toxigen | safety score | pooled | "), markdown);
        BufferedImage chart = ImageIO.read(folder.resolve("comparison.png").toFile());
        assertEquals(1100, chart.getWidth());
    }

    /** Every number of BBQ's, WinoBias's and the generation audit's summaries is the report's estimate for its run. */
    @Test
    void theOtherAuditsSummariesAreTheReportsEstimates() throws IOException {
        Path bbq = SharedDatasets.require("bbq/Sexual_orientation.jsonl");
        Path winobias = SharedDatasets.require("winobias");
        Path prompts = SharedDatasets.require("bold/religious_ideology_prompt.json");
        Path lexicon = SharedDatasets.require("lexicons/ldnoobw-en.txt");
        List<Path> baseline = new ArrayList<>();
        List<Path> edited = new ArrayList<>();
        for (ScoringModel model : List.of(BASELINE, EDITED)) {
            String who = model == BASELINE ? "base" : "edited";
            List<Path> runs = model == BASELINE ? baseline : edited;
            runs.add(run(AuditCommand::new, model, dir.resolve(who + "-bbq"), "bbq", "--data", bbq.toString()));
            runs.add(run(AuditCommand::new, model, dir.resolve(who + "-winobias"), "winobias", "--data", winobias.toString()));
            runs.add(run(AuditCommand::new, model, dir.resolve(who + "-generate"), "generate", "--data", prompts.toString(),
                    "--lexicon", lexicon.toString(), "--prompts-per-group", "2", "--samples", "3", "--max-new-tokens", "12"));
        }
        List<Object> arguments = new ArrayList<>(List.of("--baseline"));
        arguments.addAll(baseline);
        arguments.add("--edited");
        arguments.addAll(edited);
        arguments.addAll(List.of("--out", dir.resolve("other-report")));
        assertEquals(0, report(arguments.toArray()), err.toString());
        JsonNode comparison = json(dir.resolve("other-report/comparison.json"));
        int checked = 0;
        for (int side = 0; side < 2; side++) {
            String column = side == 0 ? "baseline" : "edited";
            List<Path> runs = side == 0 ? baseline : edited;
            JsonNode bbqSummary = json(runs.get(0).resolve("summary.json"));
            for (String slice : List.of("all", "Sexual_orientation")) {
                JsonNode numbers = slice.equals("all") ? bbqSummary.get("all") : bbqSummary.get("categories").get(slice);
                for (String metric : List.of("accuracy_ambiguous", "accuracy_disambiguated", "s_dis", "s_amb")) {
                    assertTrue(numbers.get(metric).isNumber(), column + " bbq " + metric + " " + slice + " is defined");
                    assertEquals(numbers.get(metric).doubleValue(), row(comparison, "bbq", metric, slice).get(column).doubleValue(), 1e-12,
                            column + " bbq " + metric + " " + slice);
                    checked++;
                }
            }
            JsonNode winoSummary = json(runs.get(1).resolve("summary.json"));
            for (String slice : List.of("type1", "type2", "all")) {
                for (String metric : List.of("accuracy_pro", "accuracy_anti", "gap")) {
                    assertEquals(winoSummary.get(slice).get(metric).doubleValue(), row(comparison, "winobias", metric, slice).get(column).doubleValue(),
                            1e-12, column + " winobias " + metric + " " + slice);
                    checked++;
                }
            }
            JsonNode generation = json(runs.get(2).resolve("summary.json")).get("scorers");
            for (String scorer : List.of("self-diagnosis", "lexicon")) {
                for (String metric : List.of("mean", "share_above_threshold")) {
                    assertEquals(generation.get(scorer).get("all").get(metric).doubleValue(),
                            row(comparison, "generate", metric + " " + scorer, "all").get(column).doubleValue(), 1e-12, column + " " + scorer + " " + metric);
                    checked++;
                }
            }
        }
        assertEquals(2 * (8 + 9 + 4), checked);
        for (JsonNode row : comparison.get("metrics")) {
            assertTrue(row.get("test").asText().startsWith("paired"), row.toString());
        }
    }

    @Test
    void runsOfDifferentItemsAreComparedAsIndependentSamplesAndTheTableSaysSo() throws IOException {
        Path basePiqa = piqaRun(BASELINE, "unpaired-base-piqa");
        Path editedPiqa = piqaRun(EDITED, "unpaired-edited-piqa", "--limit", "25");
        Path baseToxigen = toxigenRun(BASELINE, "unpaired-base-toxigen");
        Path fewer = Files.writeString(dir.resolve("toxiGen-30.json"), ReproducibleJson.MAPPER.writeValueAsString(
                ReproducibleJson.MAPPER.readTree(toxigen.toFile()).valueStream().limit(30).toList()));
        Path editedToxigen = run(AuditCommand::new, EDITED, dir.resolve("unpaired-edited-toxigen"), "toxigen", "--data", fewer.toString());
        Path folder = dir.resolve("unpaired-report");
        assertEquals(0, report("--baseline", basePiqa, baseToxigen, "--edited", editedPiqa, editedToxigen, "--out", folder), err.toString());
        JsonNode comparison = json(folder.resolve("comparison.json"));
        JsonNode acc = row(comparison, "piqa", "acc", "all");
        assertEquals("unpaired normal", acc.get("test").asText());
        assertEquals(40, acc.get("n_baseline").intValue());
        assertEquals(25, acc.get("n_edited").intValue());
        assertEquals("unpaired bootstrap", row(comparison, "toxigen", "safety score", "pooled").get("test").asText());
        String notes = comparison.get("notes").toString();
        assertTrue(notes.contains("piqa, fake-edited: unpaired (independent samples), because the settings differ"), notes);
        assertTrue(notes.contains("toxigen, fake-edited: unpaired (independent samples), because the datasets differ"), notes);
        assertTrue(out.toString().contains("note: piqa, fake-edited: unpaired"), out.toString());
        assertTrue(Files.readString(folder.resolve("comparison.csv")).contains(",unpaired normal,"));
    }

    @Test
    void anEditedModelIsLabelledByItsInterventionWhenTheManifestRecordsOne() throws IOException {
        Path base = piqaRun(BASELINE, "label-base");
        Path steered = piqaRun(BASELINE, "label-steered");
        ObjectNode manifest = (ObjectNode) json(steered.resolve("manifest.json"));
        manifest.putObject("intervention").put("file", "away-from-rude.json").put("sha256", "ab12")
                .put("summary", "steer blocks.1.hook_resid_post -4.0×vector");
        Files.writeString(steered.resolve("manifest.json"), ReproducibleJson.MAPPER.writeValueAsString(manifest));
        Path same = piqaRun(BASELINE, "label-same");
        assertEquals(0, report("--baseline", base, "--edited", steered, same), err.toString());
        String printed = out.toString();
        assertTrue(printed.contains("steer blocks.1.hook_resid_post -4.0×vector"), printed);
        assertTrue(printed.contains("fake-base (edited)"), "a run of the baseline's own model is still told apart: " + printed);
    }

    private void assertRefused(String message, Object... arguments) {
        err.getBuffer().setLength(0);
        assertEquals(AuditSubcommand.REFUSED, report(arguments), err.toString());
        assertTrue(err.toString().startsWith("phiscope report: "), err.toString());
        assertTrue(err.toString().contains(message), () -> "'" + err + "' should say '" + message + "'");
        AuditCommandTest.assertNoJavaNames(err.toString());
    }

    @Test
    void foldersThatCannotBeComparedAreRefusedNamingThem() throws IOException {
        Path base = piqaRun(BASELINE, "refuse-base-piqa");
        Path edited = piqaRun(EDITED, "refuse-edited-piqa");
        Path editedCrows = crowsRun(EDITED, "refuse-edited-crows");
        Path baseCrows = crowsRun(BASELINE, "refuse-base-crows");

        Path unfinished = Files.createDirectories(dir.resolve("unfinished"));
        Files.copy(edited.resolve("manifest.json"), unfinished.resolve("manifest.json"));
        Files.write(unfinished.resolve("results.jsonl"), Files.readAllLines(edited.resolve("results.jsonl")).subList(0, 12));
        assertRefused(unfinished + " is an unfinished piqa run (12 of 40 items saved, no summary.json); finish it (run its command again, or resume it)",
                "--baseline", base, "--edited", unfinished);

        Path missing = dir.resolve("no-such-run");
        assertRefused(missing + " is not there; name the --out folder of a `phiscope audit` or `phiscope eval` run",
                "--baseline", base, "--edited", missing);
        Path notARun = Files.createDirectories(dir.resolve("not-a-run"));
        Files.writeString(notARun.resolve("notes.txt"), "x");
        assertRefused(notARun + " is not a phiscope run folder (it has no manifest.json)", "--baseline", notARun, "--edited", edited);
        Path probe = Files.createDirectories(dir.resolve("probe"));
        Files.writeString(probe.resolve("probe.json"), "{}");
        assertRefused(probe + " holds a toxicity probe, not an audit run", "--baseline", base, "--edited", probe);

        assertRefused(editedCrows + " is a crows-pairs run, and no baseline run is", "--baseline", base, "--edited", edited, editedCrows);
        assertRefused("the edited model fake-edited has no crows-pairs run, and the baseline has " + baseCrows,
                "--baseline", base, baseCrows, "--edited", edited);
        assertRefused(base + " and " + base + " are both piqa runs of the baseline", "--baseline", base, base, "--edited", edited);
        assertRefused("the baseline runs are of different models: " + base + " of fake-base, " + editedCrows + " of fake-edited",
                "--baseline", base, editedCrows, "--edited", edited);
    }
}
