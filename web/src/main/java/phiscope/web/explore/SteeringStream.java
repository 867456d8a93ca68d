package phiscope.web.explore;

import io.javalin.http.Context;
import java.io.IOException;
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
import phiscope.web.server.Json;

/**
 * {@code POST /api/steer}: a steering vector (ActAdd from a plus/minus prompt pair, or the
 * difference of the mean activations of two sets of prompts) added at a layer, and the prompt's
 * baseline and steered continuations streamed one after the other through the generation lane.
 */
final class SteeringStream {

    record SteerRequest(String prompt, Integer layer, String site, Double coefficient, String plus, String minus,
                        List<String> positive, List<String> negative, String pooling,
                        Integer maxNewTokens, Double temperature, Integer topK, Double topP, Long seed) {
    }

    /** The vector as built: where it is added, how, and how large a coefficient of 1 is. */
    record VectorInfo(String hook, String method, int rows, double norm, double coefficient) {
    }

    /** A vector's source texts are short prompts; these bound the forward passes that build it. */
    static final int MAX_TEXTS = 32;
    static final int MAX_TEXT_TOKENS = 256;
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
        SteerRequest request = Json.body(ctx, SteerRequest.class);
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
        if (actAdd) {
            text("plus", request.plus());
            text("minus", request.minus());
        } else {
            texts("positive", request.positive());
            texts("negative", request.negative());
        }
        if (request.pooling() != null && actAdd) {
            throw ApiException.badRequest("'pooling' goes with 'positive' and 'negative', not with an ActAdd pair", Map.of("field", "pooling"));
        }
        Pooling pooling = pooling(request.pooling());
        int maxNewTokens = generation.maxNewTokens(request.maxNewTokens(), 32);
        Sampler.Settings settings = GenerationStream.settings(request.temperature(), request.topK(), request.topP(), request.seed());
        generation.stream(ctx, new GenerationStream.Start(ids.length, maxNewTokens), (job, sink) -> {
            SteeringVector vector = actAdd ? SteeringVector.actAdd(phi, point, request.plus(), request.minus())
                    : SteeringVector.differenceOfMeans(phi, List.of(point), request.positive(), request.negative(), pooling,
                            Progress.NONE).get(point);
            sink.send("vector", new VectorInfo(vector.hook(), vector.method(), vector.rows().length, vector.norm(), coefficient));
            sink.generate("baseline", ids, maxNewTokens, settings, phi.hooks());
            if (!job.stopped()) {
                sink.generate("steered", ids, maxNewTokens, settings, vector.addTo(phi.hooks(), coefficient));
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

    private void texts(String field, List<String> texts) {
        Check.required(field, texts);
        if (texts.isEmpty() || texts.size() > MAX_TEXTS) {
            throw ApiException.badRequest("field '" + field + "' has " + texts.size() + " prompts; give 1.." + MAX_TEXTS,
                    Map.of("field", field, "min", 1, "max", MAX_TEXTS));
        }
        for (int i = 0; i < texts.size(); i++) {
            text(field + "[" + i + "]", texts.get(i));
        }
    }

    private void text(String field, String text) {
        int tokens = prompts.encodeAny(field, text).length;
        if (tokens > MAX_TEXT_TOKENS) {
            throw ApiException.badRequest("field '" + field + "' has " + tokens + " tokens; a steering prompt may have at most "
                    + MAX_TEXT_TOKENS, Map.of("field", field, "max", MAX_TEXT_TOKENS));
        }
    }
}
