package phiscope.toxicity.scoring;

import java.util.List;
import java.util.Optional;
import phiscope.engine.Phi;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.model.Sampler;
import phiscope.engine.model.ScoredTokens;
import phiscope.probes.ActivationCollector;
import phiscope.probes.Pooling;
import phiscope.probes.Progress;
import phiscope.probes.intervention.InterventionStamp;

/** The audits' view of a Phi model loaded by the engine. */
final class EngineScoringModel implements ScoringModel {

    private final Phi phi;
    private final String id;
    private final Optional<InterventionStamp> intervention;

    EngineScoringModel(Phi phi, Optional<InterventionStamp> intervention) {
        this.phi = phi;
        this.id = phi.id();
        this.intervention = intervention;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Optional<InterventionStamp> intervention() {
        return intervention;
    }

    @Override
    public int[] encode(String text) {
        return phi.encode(text);
    }

    @Override
    public String decode(int[] ids) {
        return phi.decode(ids);
    }

    @Override
    public int endOfText() {
        return phi.endOfText();
    }

    @Override
    public int contextLength() {
        return phi.config().maxPositions();
    }

    @Override
    public List<ScoredTokens> scoreTokens(List<int[]> sequences) {
        return phi.model().scoreTokens(sequences);
    }

    @Override
    public List<float[]> activations(List<String> texts, String hook, Pooling pooling) {
        HookPoint point = HookPoint.parse(hook, phi.config());
        float[][] pooled = ActivationCollector.collect(phi, texts, List.of(point), pooling, Progress.NONE).get(point);
        return List.of(pooled);
    }

    @Override
    public String generate(String prompt, Sampling sampling) {
        Sampler.Settings settings = new Sampler.Settings(sampling.temperature(), sampling.topK(), sampling.topP(), sampling.seed());
        int[] tokens = phi.generate(phi.encode(prompt), sampling.maxNewTokens(), settings, id -> true).tokens();
        return phi.decode(tokens);
    }
}
