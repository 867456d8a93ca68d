package phiscope.web.sae;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import phiscope.engine.Phi;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.PhiModel;
import phiscope.engine.model.Sampler;
import phiscope.probes.sae.FeatureAttribution;
import phiscope.probes.sae.SaeSplice;
import phiscope.probes.sae.SparseAutoencoder;
import phiscope.web.Limits;
import phiscope.web.explore.GenerationStream;
import phiscope.web.explore.PromptEncoder;
import phiscope.web.server.ApiException;
import phiscope.web.server.Check;
import phiscope.web.server.ModelWorker;
import phiscope.web.server.RouteGroup;
import phiscope.web.server.StrictJson;

/**
 * The SAE area's API: the SAEs on offer, a prompt's active features per token (and one feature's
 * activation along it), a feature's stored dashboard, a search of the dashboards by token or
 * text, generation with a feature clamped beside the baseline, and direct logit attribution to
 * the features. Every SAE runs spliced in with
 * its error term, so reading features never changes what the model computes.
 */
public final class SaeRoutes implements RouteGroup {

    record ActivationsRequest(String prompt, String sae, BigInteger topK, BigInteger feature) {
    }

    record DashboardRequest(String sae, BigInteger feature) {
    }

    record SearchRequest(String sae, String query, String by, BigInteger limit) {
    }

    record SteerRequest(String prompt, String sae, BigInteger feature, Double value, BigInteger maxNewTokens, Double temperature,
                        BigInteger topK, Double topP, BigInteger seed) {
    }

    record AttributionRequest(String prompt, String sae, BigInteger position, String token, String versus, BigInteger top) {
    }

    record FeatureActivation(int feature, float activation) {
    }

    /** A feature's share of the logit difference, and its activation at the position. */
    record FeatureShare(int feature, float activation, double value) {
    }

    /**
     * {@code features}: the {@code top} largest shares; {@code otherFeatures}: what the rest of
     * the firing features add; with b_dec's and the error's shares they make {@code hookShare}.
     */
    record FeatureAttributionResult(String sae, String hook, int position, String token, String versus, int firing, List<FeatureShare> features, double otherFeatures,
                                    double decoderBias, double error, double hookShare, double modelLogitDifference) {
    }

    /** A token's firing features: how many ({@code l0}) and the strongest of them. */
    record TokenFeatures(int l0, List<FeatureActivation> top) {
    }

    /** {@code values}: the asked-for feature's activation at every token, null when none was asked for. */
    record Activations(String sae, String hook, List<PromptEncoder.TokenInfo> tokens, List<TokenFeatures> positions,
                       Integer feature, float[] values) {
    }

    record Dashboard(String sae, String hook, String corpus, long tokens, JsonNode page) {
    }

    /** {@code contexts}: top contexts that matched (token, text); {@code logit}: how much the feature raises the token (logit). */
    record Match(int feature, double density, double maxActivation, int contexts, double logit) {
    }

    record SearchResult(String sae, String query, String by, int features, List<Match> matches) {
    }

    record ClampInfo(String sae, String hook, int feature, double value) {
    }

    static final int MAX_TOP = 64;
    static final int MAX_MATCHES = 100;
    static final int MAX_QUERY = 200;
    static final double MAX_VALUE = 1000;
    private static final List<String> SEARCHES = List.of("token", "text", "logit");

    private final Phi phi;
    private final ModelWorker worker;
    private final SaeLibrary library;
    private final PromptEncoder prompts;
    private final GenerationStream generation;

    public SaeRoutes(Phi phi, ModelWorker worker, Limits limits, SaeLibrary library) {
        this.phi = phi;
        this.worker = worker;
        this.library = library;
        this.prompts = new PromptEncoder(phi);
        this.generation = new GenerationStream(phi, worker, prompts, limits);
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/api/saes", ctx -> ctx.json(library.list()));
        routes.post("/api/sae/activations", this::activations);
        routes.post("/api/sae/dashboard", this::dashboard);
        routes.post("/api/sae/search", this::search);
        routes.post("/api/sae/steer", this::steer);
        routes.post("/api/sae/attribution", this::attribution);
    }

    private void activations(Context ctx) {
        ActivationsRequest request = StrictJson.body(ctx, ActivationsRequest.class);
        int[] ids = prompts.encode(request.prompt(), 0);
        SparseAutoencoder sae = library.sae(request.sae());
        int topK = Check.inRange("topK", request.topK(), 10, 1, MAX_TOP);
        Integer feature = request.feature() == null ? null : Check.inRange("feature", request.feature(), 0, sae.dSae() - 1);
        float[] acts = worker.call(job -> {
            float[][] captured = new float[1][];
            Hooks hooks = job.guard(phi.newHooks());
            SaeSplice.attach(hooks, sae, SaeSplice.Output.WITH_ERROR).observe("hook_sae_acts_post", a -> {
                captured[0] = a.copy();
                throw new Captured();
            });
            try {
                phi.model().forward(ids, hooks, PhiModel.Logits.NONE);
            } catch (Captured expected) {
                // nothing after the SAE's hook is needed
            }
            return captured[0];
        });
        int dSae = sae.dSae();
        List<TokenFeatures> positions = new ArrayList<>(ids.length);
        for (int t = 0; t < ids.length; t++) {
            List<FeatureActivation> firing = new ArrayList<>();
            for (int f = 0; f < dSae; f++) {
                if (acts[t * dSae + f] > 0f) {
                    firing.add(new FeatureActivation(f, acts[t * dSae + f]));
                }
            }
            firing.sort(Comparator.comparingDouble(FeatureActivation::activation).reversed());
            positions.add(new TokenFeatures(firing.size(), List.copyOf(firing.subList(0, Math.min(topK, firing.size())))));
        }
        float[] values = null;
        if (feature != null) {
            values = new float[ids.length];
            for (int t = 0; t < ids.length; t++) {
                values[t] = acts[t * dSae + feature];
            }
        }
        ctx.json(new Activations(request.sae(), sae.config().hookName(), prompts.describe(ids), positions, feature, values));
    }

    private void dashboard(Context ctx) {
        DashboardRequest request = StrictJson.body(ctx, DashboardRequest.class);
        SparseAutoencoder sae = library.sae(request.sae());
        int feature = Check.inRange("feature", request.feature(), 0, sae.dSae() - 1);
        JsonNode dashboards = library.dashboards(request.sae());
        ctx.json(new Dashboard(request.sae(), sae.config().hookName(), dashboards.path("corpus").asText(),
                dashboards.path("tokens").asLong(), dashboards.path("features").get(feature)));
    }

    /**
     * Features by what they do, from the stored dashboards: {@code token}, those whose top contexts
     * fire on that token; {@code text}, those whose top contexts contain the text; {@code logit},
     * those whose decoder direction raises the token most. Tokens compare without the whitespace
     * around them, so {@code def} finds {@code " def"}.
     */
    private void search(Context ctx) {
        SearchRequest request = StrictJson.body(ctx, SearchRequest.class);
        library.sae(request.sae());
        String query = Check.required("query", request.query());
        if (query.isEmpty() || query.length() > MAX_QUERY) {
            throw ApiException.badRequest("field 'query' has " + query.length() + " characters; give 1.." + MAX_QUERY,
                    Map.of("field", "query", "min", 1, "max", MAX_QUERY));
        }
        String by = request.by() == null ? "token" : request.by().toLowerCase(Locale.ROOT);
        if (!SEARCHES.contains(by)) {
            throw ApiException.badRequest("field 'by' is '" + request.by() + "'; it must be one of " + SEARCHES,
                    Map.of("field", "by", "allowed", SEARCHES));
        }
        int limit = Check.inRange("limit", request.limit(), 20, 1, MAX_MATCHES);
        JsonNode features = library.dashboards(request.sae()).path("features");
        String token = query.strip().isEmpty() ? query : query.strip();
        List<Match> matches = new ArrayList<>();
        for (JsonNode page : features) {
            int contexts = 0;
            double logit = 0;
            if (by.equals("logit")) {
                for (JsonNode raised : page.path("positive_logits")) {
                    if (sameToken(raised.path("token").asText(), token)) {
                        logit = Math.max(logit, raised.path("logit").asDouble());
                        contexts = 1;
                    }
                }
            } else {
                for (JsonNode context : page.path("top")) {
                    JsonNode tokens = context.path("tokens");
                    boolean matched = by.equals("token") ? sameToken(tokens.path(context.path("position").asInt()).asText(), token)
                            : joined(tokens).contains(query);
                    contexts += matched ? 1 : 0;
                }
            }
            if (contexts > 0) {
                matches.add(new Match(page.path("feature").asInt(), page.path("density").asDouble(),
                        page.path("histogram").path("max").asDouble(), by.equals("logit") ? 0 : contexts, logit));
            }
        }
        matches.sort(Comparator.comparingDouble((Match m) -> by.equals("logit") ? m.logit() : m.contexts()).reversed()
                .thenComparing(Comparator.comparingDouble(Match::maxActivation).reversed()));
        ctx.json(new SearchResult(request.sae(), query, by, features.size(), List.copyOf(matches.subList(0, Math.min(limit,
                matches.size())))));
    }

    /** Direct logit attribution of logit(token) − logit(versus) at a position to the SAE's features ({@link FeatureAttribution}). */
    private void attribution(Context ctx) {
        AttributionRequest request = StrictJson.body(ctx, AttributionRequest.class);
        int[] ids = prompts.encode(request.prompt(), 0);
        SparseAutoencoder sae = library.sae(request.sae());
        int position = Check.inRange("position", request.position(), ids.length - 1, 0, ids.length - 1);
        int token = prompts.singleToken("token", request.token());
        int versus = prompts.singleToken("versus", request.versus());
        int top = Check.inRange("top", request.top(), 10, 1, MAX_TOP);
        FeatureAttribution.Result result = worker.call(job -> FeatureAttribution.compute(phi, sae, ids, position, token, versus));
        List<FeatureShare> shares = result.features().stream().limit(top)
                .map(p -> new FeatureShare(p.feature(), p.activation(), p.value())).toList();
        double others = result.features().stream().skip(top).mapToDouble(FeatureAttribution.Part::value).sum();
        ctx.json(new FeatureAttributionResult(request.sae(), result.hookName(), position, request.token(), request.versus(),
                result.features().size(), shares, others, result.decoderBias(), result.error(), result.hook(),
                result.modelLogitDifference()));
    }

    private void steer(Context ctx) throws IOException {
        SteerRequest request = StrictJson.body(ctx, SteerRequest.class);
        int[] ids = prompts.encode(request.prompt(), 1);
        SparseAutoencoder sae = library.sae(request.sae());
        int feature = Check.inRange("feature", request.feature(), 0, sae.dSae() - 1);
        double value = request.value() == null ? 0 : request.value();
        if (!(Math.abs(value) <= MAX_VALUE)) {
            throw ApiException.badRequest("field 'value' is " + value + "; it must be in -" + MAX_VALUE + ".." + MAX_VALUE,
                    Map.of("field", "value", "min", -MAX_VALUE, "max", MAX_VALUE));
        }
        int maxNewTokens = generation.maxNewTokens(request.maxNewTokens(), 32);
        Sampler.Settings settings = generation.settings(request.temperature(), request.topK(), request.topP(), request.seed());
        generation.stream(ctx, new GenerationStream.Start(ids.length, maxNewTokens), (job, sink) -> {
            sink.send("feature", new ClampInfo(request.sae(), sae.config().hookName(), feature, value));
            sink.generate("baseline", ids, maxNewTokens, settings, phi.newHooks());
            if (!job.stopped()) {
                Hooks clamped = phi.newHooks();
                SaeSplice.attach(clamped, sae, SaeSplice.Output.WITH_ERROR).clamp(feature, (float) value);
                sink.generate("steered", ids, maxNewTokens, settings, clamped);
            }
        });
    }

    private static boolean sameToken(String token, String query) {
        return token.equals(query) || token.strip().equals(query);
    }

    private static String joined(JsonNode tokens) {
        StringBuilder text = new StringBuilder();
        tokens.forEach(t -> text.append(t.asText()));
        return text.toString();
    }

    /** Ends the forward pass once the SAE's features are read. */
    private static final class Captured extends RuntimeException {
        Captured() {
            super(null, null, false, false);
        }
    }
}
