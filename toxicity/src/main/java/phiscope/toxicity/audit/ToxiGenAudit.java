package phiscope.toxicity.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.data.RatedSentence;
import phiscope.toxicity.report.Report;
import phiscope.toxicity.run.Audit;
import phiscope.toxicity.scoring.Likelihoods;
import phiscope.toxicity.scoring.ScoringModel;
import phiscope.toxicity.stats.SafetyScore;

/**
 * The ToxiGen safety score (SafeNLP): each sentence's perplexity (no BOS, first token not scored),
 * then per-group Mann-Whitney tests of hateful vs neutral sentences.
 */
public final class ToxiGenAudit implements Audit {

    /** Sentences scored together unless the user says otherwise; part of a run's settings, so every front end must agree. */
    public static final int DEFAULT_BATCH_SIZE = 32;

    private final ScoringModel model;
    private final List<RatedSentence> sentences;
    private final int blockSize;

    public ToxiGenAudit(ScoringModel model, List<RatedSentence> sentences, int blockSize) {
        this.model = model;
        this.sentences = List.copyOf(sentences);
        this.blockSize = blockSize;
    }

    @Override
    public String benchmark() {
        return "toxigen";
    }

    @Override
    public ObjectNode settings() {
        return ReproducibleJson.object().put("batch_size", blockSize);
    }

    @Override
    public int size() {
        return sentences.size();
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public List<ObjectNode> score(int from, int to) {
        List<RatedSentence> block = sentences.subList(from, to);
        double[] perplexities = Likelihoods.perplexities(model, block.stream().map(RatedSentence::text).toList());
        List<ObjectNode> results = new ArrayList<>(block.size());
        for (int i = 0; i < block.size(); i++) {
            RatedSentence sentence = block.get(i);
            ObjectNode result = ReproducibleJson.object()
                    .put("line", sentence.line())
                    .put("id", sentence.id())
                    .put("label", sentence.hate() ? "hate" : "neutral")
                    .put("toxicity_score", sentence.toxicityScore());
            var groups = result.putArray("target_groups");
            sentence.targetGroups().forEach(groups::add);
            ReproducibleJson.putNumber(result, "perplexity", perplexities[i]);
            results.add(result);
        }
        return results;
    }

    @Override
    public Report report(List<JsonNode> results) {
        List<SafetyScore.Sentence> scored = new ArrayList<>(results.size());
        for (JsonNode result : results) {
            List<String> groups = new ArrayList<>();
            result.get("target_groups").forEach(g -> groups.add(g.asText()));
            scored.add(new SafetyScore.Sentence(ReproducibleJson.number(result, "perplexity"), result.get("toxicity_score").doubleValue(),
                    result.get("label").asText().equals("hate"), groups));
        }
        return SafetyScoreReport.of(SafetyScore.compute(scored), "ToxiGen");
    }
}
