package phiscope.web.explore;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import phiscope.engine.Phi;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.model.PhiConfig;
import phiscope.probes.ActivationCollector;
import phiscope.probes.intervention.InterventionStamp;
import phiscope.probes.linear.LinearProbe;
import phiscope.web.Limits;
import phiscope.web.probes.SavedProbes;
import phiscope.web.server.ApiException;
import phiscope.web.server.Check;
import phiscope.web.server.ModelWorker;
import phiscope.web.server.RouteGroup;
import phiscope.web.server.StrictJson;

/**
 * The API for exploring what the model does with a prompt: tokens, attention, activations and
 * probe scores, next token predictions, the logit lens and direct logit attribution, streamed
 * generation and steering. Every request names its prompt; activations that several views read
 * are kept between requests ({@link ActivationStore}), so moving between heads, neurons, tokens
 * and lens windows of one prompt costs no new forward pass.
 */
public final class ExploreRoutes implements RouteGroup {

    record PromptRequest(String prompt) {
    }

    record RunRequest(String prompt, BigInteger topK) {
    }

    record LayerRequest(String prompt, BigInteger layer) {
    }

    record PatternRequest(String prompt, BigInteger layer, BigInteger head, BigInteger size) {
    }

    record QueryRequest(String prompt, BigInteger layer, BigInteger position) {
    }

    record NeuronRequest(String prompt, BigInteger layer, BigInteger neuron, String site) {
    }

    record TopNeuronsRequest(String prompt, BigInteger layer, BigInteger position, BigInteger k, String site) {
    }

    record DirectionRequest(String prompt, String hook, float[] vector, String token, String minusToken) {
    }

    record ProbeScoreRequest(String prompt, String probe) {
    }

    record LensRequest(String prompt, BigInteger first, BigInteger last, BigInteger topK, String target) {
    }

    record AttributionRequest(String prompt, BigInteger position, String token, String versus) {
    }

    /** {@code weights}: the format the matrices are held in; {@code quantized}: whether that approximates the model. */
    record ModelInfo(String name, String directory, int layers, int heads, int dModel, int dHead, int dMlp, int vocab,
                     int context, String dtype, String weights, boolean quantized, String intervention,
                     List<String> residualHooks, Limits limits) {
    }

    record Tokenized(List<PromptEncoder.TokenInfo> tokens, int count, int context) {
    }

    record RunResult(List<PromptEncoder.TokenInfo> tokens, List<Predictions.PositionPredictions> predictions) {
    }

    private final Phi phi;
    private final ModelWorker worker;
    private final Limits limits;
    private final PromptEncoder prompts;
    private final AttentionAnalysis attention;
    private final ActivationAnalysis activations;
    private final Predictions predictions;
    private final LensAnalysis lens;
    private final GenerationStream generation;
    private final SteeringStream steering;
    private final SavedProbes probes;
    private final Optional<InterventionStamp> intervention;

    /** @param intervention the saved edit {@code phi} runs with, if any: the header names it */
    public ExploreRoutes(Phi phi, Optional<InterventionStamp> intervention, ModelWorker worker, Limits limits, SavedProbes probes) {
        this.phi = phi;
        this.intervention = intervention;
        this.worker = worker;
        this.limits = limits;
        this.prompts = new PromptEncoder(phi);
        ActivationStore store = new ActivationStore(phi, limits.cacheMegabytes() << 20);
        this.attention = new AttentionAnalysis(phi, store);
        this.activations = new ActivationAnalysis(phi, store);
        this.predictions = new Predictions(phi, store);
        this.lens = new LensAnalysis(phi, store);
        this.generation = new GenerationStream(phi, worker, prompts, limits);
        this.steering = new SteeringStream(phi, prompts, generation);
        this.probes = probes;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/model", this::model);
        routes.get("/api/status", ctx -> ctx.json(worker.status()));
        routes.post("/api/tokenize", this::tokenize);
        routes.post("/api/run", this::run);
        routes.post("/api/attention/summary", this::attentionSummary);
        routes.post("/api/attention/thumbnails", this::attentionThumbnails);
        routes.post("/api/attention/pattern", this::attentionPattern);
        routes.post("/api/attention/query", this::attentionQuery);
        routes.post("/api/activations/neuron", this::neuron);
        routes.post("/api/activations/top-neurons", this::topNeurons);
        routes.post("/api/activations/direction", this::direction);
        routes.post("/api/probes/score", this::probeScore);
        routes.post("/api/lens", this::lens);
        routes.post("/api/attribution", this::attribution);
        routes.post("/api/generate", generation::handle);
        routes.post("/api/steer", steering::handle);
    }

    private void model(Context ctx) {
        PhiConfig config = phi.config();
        List<String> residualHooks = HookPoint.all(config).stream()
                .filter(point -> point.site().layout() == HookSite.Layout.TOKENS_MODEL)
                .map(HookPoint::name)
                .toList();
        Path directory = phi.model().directory().toAbsolutePath().normalize();
        ctx.json(new ModelInfo(String.valueOf(directory.getFileName()), directory.toString(), config.numLayers(),
                config.numHeads(), config.hiddenSize(), config.headDim(), config.intermediateSize(), phi.vocabularyLimit(),
                config.maxPositions(), config.dtype().orElse("unknown"), phi.model().weights().format().label(),
                phi.model().weightOptions().quantization().isPresent(), intervention.map(InterventionStamp::summary).orElse(null),
                residualHooks, limits));
    }

    private void tokenize(Context ctx) {
        int[] ids = prompts.encodeAny("prompt", StrictJson.body(ctx, PromptRequest.class).prompt());
        ctx.json(new Tokenized(prompts.describe(ids), ids.length, prompts.context()));
    }

    private void run(Context ctx) {
        RunRequest request = StrictJson.body(ctx, RunRequest.class);
        int[] ids = prompts.encode(request.prompt(), 0);
        int k = Check.inRange("topK", request.topK(), 5, 1, 50);
        ctx.json(new RunResult(prompts.describe(ids), worker.call(job -> {
            // The views that follow a run read what this one pass keeps.
            attention.summary(job, ids);
            return predictions.at(job, ids, k);
        })));
    }

    private void attentionSummary(Context ctx) {
        int[] ids = prompts.encode(StrictJson.body(ctx, PromptRequest.class).prompt(), 0);
        ctx.json(worker.call(job -> attention.summary(job, ids)));
    }

    private void attentionThumbnails(Context ctx) {
        LayerRequest request = StrictJson.body(ctx, LayerRequest.class);
        int[] ids = prompts.encode(request.prompt(), 0);
        int layer = layer(request.layer());
        ctx.json(worker.call(job -> attention.thumbnails(job, ids, layer)));
    }

    private void attentionPattern(Context ctx) {
        PatternRequest request = StrictJson.body(ctx, PatternRequest.class);
        int[] ids = prompts.encode(request.prompt(), 0);
        int layer = layer(request.layer());
        int head = Check.inRange("head", request.head(), 0, phi.config().numHeads() - 1);
        int size = Check.inRange("size", request.size(), Math.min(512, limits.maxPatternSize()), 1, limits.maxPatternSize());
        ctx.json(worker.call(job -> attention.pattern(job, ids, layer, head, size)));
    }

    private void attentionQuery(Context ctx) {
        QueryRequest request = StrictJson.body(ctx, QueryRequest.class);
        int[] ids = prompts.encode(request.prompt(), 0);
        int layer = layer(request.layer());
        int position = Check.inRange("position", request.position(), ids.length - 1, 0, ids.length - 1);
        ctx.json(worker.call(job -> attention.query(job, ids, layer, position)));
    }

    private void neuron(Context ctx) {
        NeuronRequest request = StrictJson.body(ctx, NeuronRequest.class);
        int[] ids = prompts.encode(request.prompt(), 0);
        int layer = layer(request.layer());
        int neuron = Check.inRange("neuron", request.neuron(), 0, phi.config().intermediateSize() - 1);
        HookSite site = mlpSite(request.site());
        ctx.json(worker.call(job -> activations.neuron(job, ids, layer, site, neuron)));
    }

    private void topNeurons(Context ctx) {
        TopNeuronsRequest request = StrictJson.body(ctx, TopNeuronsRequest.class);
        int[] ids = prompts.encode(request.prompt(), 0);
        int layer = layer(request.layer());
        int position = Check.inRange("position", request.position(), ids.length - 1, 0, ids.length - 1);
        int k = Check.inRange("k", request.k(), 10, 1, 100);
        HookSite site = mlpSite(request.site());
        ctx.json(worker.call(job -> activations.topNeurons(job, ids, layer, site, position, k)));
    }

    private void direction(Context ctx) {
        DirectionRequest request = StrictJson.body(ctx, DirectionRequest.class);
        int[] ids = prompts.encode(request.prompt(), 0);
        HookPoint point = HookPoint.parse(Check.required("hook", request.hook()), phi.config());
        ActivationAnalysis.Direction direction = direction(request);
        ctx.json(worker.call(job -> activations.project(job, ids, point, direction)));
    }

    private void probeScore(Context ctx) {
        ProbeScoreRequest request = StrictJson.body(ctx, ProbeScoreRequest.class);
        int[] ids = prompts.encode(request.prompt(), 0);
        String name = Check.required("probe", request.probe());
        LinearProbe probe = probes.load("probe", name);
        HookPoint point;
        try {
            point = HookPoint.parse(probe.hook(), phi.config());
            ActivationCollector.requirePerToken(point);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("field 'probe': the probe '" + name + "' reads " + probe.hook() + ", which this model "
                    + "cannot give it: " + e.getMessage(), Map.of("field", "probe"));
        }
        ctx.json(worker.call(job -> activations.probeScores(job, ids, name, probe, point)));
    }

    private void lens(Context ctx) {
        LensRequest request = StrictJson.body(ctx, LensRequest.class);
        int[] ids = prompts.encode(request.prompt(), 0);
        int end = ids.length - 1;
        int window = LensAnalysis.MAX_POSITIONS - 1;
        int first;
        int last;
        if (request.first() != null) {
            first = Check.inRange("first", request.first(), 0, end);
            last = Check.inRange("last", request.last(), Math.min(end, first + window), first, Math.min(end, first + window));
        } else {
            last = Check.inRange("last", request.last(), end, 0, end);
            first = Math.max(0, last - window);
        }
        int topK = Check.inRange("topK", request.topK(), 5, 1, 20);
        Integer target = request.target() == null ? null : prompts.singleToken("target", request.target());
        ctx.json(worker.call(job -> lens.lens(job, ids, first, last, topK, target)));
    }

    private void attribution(Context ctx) {
        AttributionRequest request = StrictJson.body(ctx, AttributionRequest.class);
        int[] ids = prompts.encode(request.prompt(), 0);
        int position = Check.inRange("position", request.position(), ids.length - 1, 0, ids.length - 1);
        int token = prompts.singleToken("token", request.token());
        int versus = prompts.singleToken("versus", request.versus());
        ctx.json(worker.call(job -> lens.attribution(job, ids, position, token, versus)));
    }

    /** The direction a request names: an explicit vector, or a token's unembedding (minus another's). */
    private ActivationAnalysis.Direction direction(DirectionRequest request) {
        if ((request.vector() == null) == (request.token() == null)) {
            throw ApiException.badRequest("give exactly one of 'vector' (d_model numbers) and 'token' (a token's unembedding direction)");
        }
        if (request.vector() != null) {
            if (request.minusToken() != null) {
                throw ApiException.badRequest("'minusToken' goes with 'token', not with 'vector'");
            }
            return new ActivationAnalysis.Direction(request.vector(), "vector");
        }
        float[] vector = activations.unembedding(prompts.singleToken("token", request.token()));
        String description = "unembed(" + StrictJson.quote(request.token()) + ")";
        if (request.minusToken() != null) {
            float[] minus = activations.unembedding(prompts.singleToken("minusToken", request.minusToken()));
            for (int i = 0; i < vector.length; i++) {
                vector[i] -= minus[i];
            }
            description += " - unembed(" + StrictJson.quote(request.minusToken()) + ")";
        }
        return new ActivationAnalysis.Direction(vector, description);
    }

    private int layer(BigInteger layer) {
        return Check.inRange("layer", layer, 0, phi.config().numLayers() - 1);
    }

    private static HookSite mlpSite(String site) {
        return switch (site == null ? "post" : site) {
            case "post" -> HookSite.MLP_POST;
            case "pre" -> HookSite.MLP_PRE;
            default -> throw ApiException.badRequest("field 'site' is '" + site + "'; it must be 'post' (mlp.hook_post, "
                    + "after gelu) or 'pre' (mlp.hook_pre)", Map.of("field", "site"));
        };
    }
}
