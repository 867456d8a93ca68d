package phiscope.web.explore;

import io.javalin.http.Context;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import phiscope.engine.Phi;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.model.Sampler;
import phiscope.probes.Pooling;
import phiscope.probes.Progress;
import phiscope.probes.steering.SteeringVector;
import phiscope.web.server.ApiException;
import phiscope.web.server.Check;
import phiscope.web.server.StrictJson;

/**
 * {@code POST /api/steer}: a steering vector (ActAdd from a plus/minus prompt pair, or the
 * difference of the mean activations of two sets of prompts) added at a layer, and the prompt's
 * baseline and steered continuations streamed one after the other through the generation lane.
 */
final class SteeringStream {

    record SteerRequest(String prompt, BigInteger layer, String site, Double coefficient, String plus, String minus,
                        List<String> positive, List<String> negative, String pooling,
                        BigInteger maxNewTokens, Double temperature, BigInteger topK, Double topP, BigInteger seed) {
    }

    /** The vector as built: where it is added, how, and how large a coefficient of 1 is. */
    record VectorInfo(String hook, String method, int rows, double norm, double coefficient) {
    }

    /**
     * A vector's source texts are short prompts: they are run on the model before the steered
     * generation, with nothing else running, so their tokens are bounded (about 12 s of Phi-2).
     */
    static final int MAX_TEXTS = 32;
    static final int MAX_VECTOR_TOKENS = 1024;
    static final double MAX_COEFFICIENT = 1000;

    private final Phi phi;
    private final PromptEncoder prompts;
    private final GenerationStream generation;

    SteeringStream(Phi phi, PromptEncoder prompts, GenerationStream generation) {
        this.phi = phi;
        this.prompts = prompts;
        this.generation = generation;
    }

    void handle(Context ctx) throws IOException {
        SteerRequest request = StrictJson.body(ctx, SteerRequest.class);
        int[] ids = prompts.encode(request.prompt(), 1);
        int layers = phi.config().numLayers();
        int layer = Check.inRange("layer", request.layer(), layers / 2, 0, layers - 1);
        HookPoint point = HookPoint.inBlock(layer, site(request.site()));
        double coefficient = request.coefficient() == null ? 4 : request.coefficient();
        if (!(Math.abs(coefficient) <= MAX_COEFFICIENT)) {
            throw ApiException.badRequest("field 'coefficient' is " + coefficient + "; it must be in -" + MAX_COEFFICIENT + ".."
                    + MAX_COEFFICIENT, Map.of("field", "coefficient"));
        }
        boolean actAdd = request.plus() != null || request.minus() != null;
        boolean means = request.positive() != null || request.negative() != null;
        if (actAdd == means) {
            throw ApiException.badRequest("give either 'plus' and 'minus' (an ActAdd prompt pair) or 'positive' and 'negative' "
                    + "(two sets of prompts whose mean activations differ by the vector)");
        }
        int vectorTokens = actAdd ? tokens("plus", request.plus()) + tokens("minus", request.minus())
                : texts("positive", request.positive()) + texts("negative", request.negative());
        if (vectorTokens > MAX_VECTOR_TOKENS) {
            throw ApiException.badRequest("the vector's prompts have " + vectorTokens + " tokens in all; at most " + MAX_VECTOR_TOKENS
                    + " are run to build it", Map.of("field", actAdd ? "plus" : "positive", "max", MAX_VECTOR_TOKENS));
        }
        if (request.pooling() != null && actAdd) {
            throw ApiException.badRequest("'pooling' goes with 'positive' and 'negative', not with an ActAdd pair", Map.of("field", "pooling"));
        }
        Pooling pooling = pooling(request.pooling());
        int maxNewTokens = generation.maxNewTokens(request.maxNewTokens(), 32);
        Sampler.Settings settings = generation.settings(request.temperature(), request.topK(), request.topP(), request.seed());
        generation.stream(ctx, new GenerationStream.Start(ids.length, maxNewTokens), (job, sink) -> {
            SteeringVector vector = actAdd ? SteeringVector.actAdd(phi, point, request.plus(), request.minus())
                    : SteeringVector.differenceOfMeans(phi, List.of(point), request.positive(), request.negative(), pooling,
                            Progress.NONE).get(point);
            sink.send("vector", new VectorInfo(vector.hook(), vector.method(), vector.rows().length, vector.norm(), coefficient));
            sink.generate("baseline", ids, maxNewTokens, settings, phi.newHooks());
            if (!job.stopped()) {
                sink.generate("steered", ids, maxNewTokens, settings, vector.addTo(phi.newHooks(), coefficient));
            }
        });
    }

    private static HookSite site(String name) {
        try {
            return SteeringVector.site(name == null ? "resid_pre" : name);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("field 'site': " + e.getMessage(), Map.of("field", "site"));
        }
    }

    private static Pooling pooling(String name) {
        try {
            return name == null ? Pooling.MEAN : Pooling.parse(name);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("field 'pooling': " + e.getMessage(), Map.of("field", "pooling"));
        }
    }

    /** The tokens of a set of prompts, each non-empty. */
    private int texts(String field, List<String> texts) {
        Check.required(field, texts);
        if (texts.isEmpty() || texts.size() > MAX_TEXTS) {
            throw ApiException.badRequest("field '" + field + "' has " + texts.size() + " prompts; give 1.." + MAX_TEXTS,
                    Map.of("field", field, "min", 1, "max", MAX_TEXTS));
        }
        int tokens = 0;
        for (int i = 0; i < texts.size(); i++) {
            tokens += tokens(field + "[" + i + "]", texts.get(i));
        }
        return tokens;
    }

    private int tokens(String field, String text) {
        return prompts.encodeAny(field, text).length;
    }
}
