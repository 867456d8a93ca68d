package phiscope.toxicity.generation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.TreeMap;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.data.Prompt;
import phiscope.toxicity.report.Bar;
import phiscope.toxicity.report.BarChart;
import phiscope.toxicity.report.Report;
import phiscope.toxicity.report.Tables;
import phiscope.toxicity.run.Audit;
import phiscope.toxicity.scoring.Sampling;
import phiscope.toxicity.scoring.ScoringModel;
import phiscope.toxicity.stats.MannWhitneyU;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * A generation audit (BOLD or the user's prompts): k seeded continuations per prompt, each scored
 * by every scorer. Per scorer and group: mean score, expected maximum over a prompt's k samples
 * (as in RealToxicityPrompts), share of samples above the scorer's threshold, and how the group's
 * samples compare with all other groups' (Mann-Whitney: the chance that one of its samples
 * scores higher than another group's, and p).
 *
 * <p>Item i is sample {@code i % k} of prompt {@code i / k}, and its seed is derived from the base
 * seed and i alone, so a resumed run draws the same samples.
 */
public final class GenerationAudit implements Audit {

    private final ScoringModel model;
    private final List<Prompt> prompts;
    private final OptionalInt promptsPerGroup;
    private final int samplesPerPrompt;
    private final Sampling sampling;
    private final List<ToxicityScorer> scorers;
    private final int blockSize;

    /**
     * @param promptsPerGroup use only the first n prompts of each group, if given (BOLD has
     *                        thousands per domain)
     */
    public GenerationAudit(ScoringModel model, List<Prompt> prompts, OptionalInt promptsPerGroup, int samplesPerPrompt,
                           Sampling sampling, List<ToxicityScorer> scorers, int blockSize) {
        if (scorers.isEmpty()) throw new IllegalArgumentException("a generation audit needs at least one scorer");
        this.model = model;
        this.prompts = firstPerGroup(prompts, promptsPerGroup);
        this.promptsPerGroup = promptsPerGroup;
        this.samplesPerPrompt = samplesPerPrompt;
        this.sampling = sampling;
        this.scorers = List.copyOf(scorers);
        this.blockSize = blockSize;
    }

    @Override
    public String benchmark() {
        return "generate";
    }

    @Override
    public ObjectNode settings() {
        ObjectNode settings = ReproducibleJson.object()
                .put("batch_size", blockSize)
                .put("samples_per_prompt", samplesPerPrompt)
                .put("prompts_per_group", promptsPerGroup.isPresent() ? String.valueOf(promptsPerGroup.getAsInt()) : "all")
                .put("max_new_tokens", sampling.maxNewTokens())
                .put("temperature", sampling.temperature())
                .put("top_k", sampling.topK())
                .put("top_p", sampling.topP())
                .put("seed", sampling.seed());
        ObjectNode scorerSettings = settings.putObject("scorers");
        for (ToxicityScorer scorer : scorers) {
            scorerSettings.set(scorer.name(), scorer.settings().put("threshold", scorer.threshold()));
        }
        return settings;
    }

    @Override
    public int size() {
        return prompts.size() * samplesPerPrompt;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    private static List<Prompt> firstPerGroup(List<Prompt> prompts, OptionalInt perGroup) {
        if (perGroup.isEmpty()) return List.copyOf(prompts);
        Map<String, Integer> taken = new HashMap<>();
        List<Prompt> kept = new ArrayList<>();
        for (Prompt p : prompts) {
            if (taken.merge(p.group(), 1, Integer::sum) <= perGroup.getAsInt()) kept.add(p);
        }
        return List.copyOf(kept);
    }

    /** The seed of item {@code index}: SplitMix64's finaliser over the base seed and the index. */
    static long seedOf(long baseSeed, int index) {
        long z = baseSeed + 0x9E3779B97F4A7C15L * (index + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public List<ObjectNode> score(int from, int to) {
        List<String> continuations = new ArrayList<>(to - from);
        List<ObjectNode> results = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            Prompt prompt = prompts.get(i / samplesPerPrompt);
            long seed = seedOf(sampling.seed(), i);
            String continuation = model.generate(prompt.text(), sampling.withSeed(seed));
            continuations.add(continuation);
            results.add(ReproducibleJson.object()
                    .put("prompt_index", i / samplesPerPrompt)
                    .put("sample", i % samplesPerPrompt)
                    .put("group", prompt.group())
                    .put("source", prompt.source())
                    .put("line", prompt.line())
                    .put("prompt", prompt.text())
                    .put("seed", seed)
                    .put("continuation", continuation));
        }
        for (ToxicityScorer scorer : scorers) {
            double[] scores = scorer.score(continuations);
            for (int k = 0; k < scores.length; k++) {
                ObjectNode byScorer = (ObjectNode) results.get(k).get("scores");
                if (byScorer == null) byScorer = results.get(k).putObject("scores");
                ReproducibleJson.putNumber(byScorer, scorer.name(), scores[k]);
            }
        }
        return results;
    }

    /** The samples of one group under one scorer. */
    private static final class GroupScores {
        final List<Double> all = new ArrayList<>();
        final Map<Integer, Double> maxByPrompt = new TreeMap<>();

        void add(int promptIndex, double score) {
            all.add(score);
            maxByPrompt.merge(promptIndex, score, Math::max);
        }

        double mean() {
            return all.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }

        double expectedMax() {
            return maxByPrompt.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        }

        double shareAbove(double threshold) {
            return all.isEmpty() ? Double.NaN : (double) all.stream().filter(s -> s > threshold).count() / all.size();
        }
    }

    /** The report table, one row per scorer and group. */
    private static final class Rows {
        final StringColumn scorer = StringColumn.create("scorer");
        final StringColumn group = StringColumn.create("group");
        final DoubleColumn mean = Tables.numbers("mean");
        final DoubleColumn expectedMax = Tables.numbers("expected_max");
        final DoubleColumn shareAbove = Tables.numbers("share_above_threshold");
        final DoubleColumn higherThanRest = Tables.numbers("higher_than_rest");
        final DoubleColumn pVsRest = Tables.numbers("p_vs_rest");
        final IntColumn nPrompts = IntColumn.create("n_prompts");
        final IntColumn nSamples = IntColumn.create("n_samples");

        /** Adds a row and fills {@code out} with the same numbers. */
        void add(ToxicityScorer s, String name, GroupScores g, MannWhitneyU.Result vsRest, ObjectNode out) {
            double higher = vsRest == null ? Double.NaN : vsRest.commonLanguageEffect();
            double p = vsRest == null ? Double.NaN : vsRest.p();
            ReproducibleJson.putNumber(out, "mean", g.mean());
            ReproducibleJson.putNumber(out, "expected_max", g.expectedMax());
            ReproducibleJson.putNumber(out, "share_above_threshold", g.shareAbove(s.threshold()));
            if (vsRest != null) {
                ReproducibleJson.putNumber(out, "higher_than_rest", higher);
                ReproducibleJson.putNumber(out, "p_vs_rest", p);
            }
            out.put("n_prompts", g.maxByPrompt.size());
            out.put("n_samples", g.all.size());
            scorer.append(s.name());
            group.append(name);
            mean.append(g.mean());
            expectedMax.append(g.expectedMax());
            shareAbove.append(g.shareAbove(s.threshold()));
            higherThanRest.append(higher);
            pVsRest.append(p);
            nPrompts.append(g.maxByPrompt.size());
            nSamples.append(g.all.size());
        }

        Table table() {
            return Table.create("Generation audit", scorer, group, mean, expectedMax, shareAbove, higherThanRest, pVsRest,
                    nPrompts, nSamples);
        }
    }

    @Override
    public Report report(List<JsonNode> results) {
        ObjectNode summary = ReproducibleJson.object();
        ObjectNode byScorer = summary.putObject("scorers");
        Rows rows = new Rows();
        List<BarChart> charts = new ArrayList<>();
        for (ToxicityScorer scorer : scorers) {
            Map<String, GroupScores> groups = new TreeMap<>();
            GroupScores overall = new GroupScores();
            for (JsonNode r : results) {
                double score = ReproducibleJson.number(r.get("scores"), scorer.name());
                if (Double.isNaN(score)) continue;
                int promptIndex = r.get("prompt_index").intValue();
                groups.computeIfAbsent(r.get("group").asText(), g -> new GroupScores()).add(promptIndex, score);
                overall.add(promptIndex, score);
            }
            ObjectNode node = byScorer.putObject(scorer.name());
            node.put("threshold", scorer.threshold());
            ObjectNode groupNodes = node.putObject("groups");
            List<Bar> bars = new ArrayList<>();
            for (var entry : groups.entrySet()) {
                GroupScores g = entry.getValue();
                MannWhitneyU.Result vsRest = groups.size() > 1
                        ? MannWhitneyU.test(toArray(g.all), toArray(rest(groups, entry.getKey())))
                        : null;
                rows.add(scorer, entry.getKey(), g, vsRest, groupNodes.putObject(entry.getKey()));
                bars.add(new Bar(entry.getKey(), scorer.name(), g.mean(), false));
            }
            rows.add(scorer, "(all groups)", overall, null, node.putObject("all"));
            double[] means = groups.values().stream().mapToDouble(GroupScores::mean).toArray();
            ReproducibleJson.putNumber(node, "spread_of_means", means.length == 0 ? Double.NaN
                    : Arrays.stream(means).max().orElseThrow() - Arrays.stream(means).min().orElseThrow());
            charts.add(new BarChart("generation-" + scorer.name() + ".png",
                    "Generation audit, scorer \"" + scorer.name() + "\": mean score per group", "mean " + scorer.name() + " score",
                    bars, Optional.empty(), OptionalDouble.of(overall.mean()), "all groups", ""));
        }
        return new Report(summary, rows.table(), charts);
    }

    private static List<Double> rest(Map<String, GroupScores> groups, String except) {
        List<Double> rest = new ArrayList<>();
        groups.forEach((name, g) -> {
            if (!name.equals(except)) rest.addAll(g.all);
        });
        return rest;
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
