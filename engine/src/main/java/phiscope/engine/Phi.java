package phiscope.engine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.HookSelector;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.hooks.ModelEdit;
import phiscope.engine.model.Generator;
import phiscope.engine.model.PhiConfig;
import phiscope.engine.model.PhiModel;
import phiscope.engine.model.Sampler;
import phiscope.engine.model.WeightOptions;
import phiscope.engine.tokenizer.Tokenizer;

/**
 * A Phi model directory, loaded: the model, and its tokenizer when the directory has one
 * (reference fixtures have none; everything that needs only token ids works without it).
 */
public final class Phi implements AutoCloseable {

    private final PhiModel model;
    private final Tokenizer tokenizer;

    public Phi(PhiModel model, Tokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    public static Phi load(Path directory, int threads) {
        return load(directory, threads, WeightOptions.DEFAULT);
    }

    public static Phi load(Path directory, int threads, WeightOptions options) {
        Path tokenizerFile = directory.resolve("tokenizer.json");
        Tokenizer tokenizer = Files.exists(tokenizerFile) ? Tokenizer.load(tokenizerFile) : null;
        return new Phi(PhiModel.load(directory, threads, options), tokenizer);
    }

    /**
     * What identifies this model's numbers: the directory's name, the dtype of its matrices and a
     * fingerprint of config and weights. Runs record it and refuse to mix models.
     */
    public String id() {
        String config;
        try {
            config = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(model.directory().resolve(PhiConfig.FILE))));
        } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot read " + model.directory().resolve(PhiConfig.FILE), e);
        }
        return model.directory().toAbsolutePath().normalize().getFileName() + " "
                + model.weights().format()
                + " config:" + config.substring(0, 12) + " weights:" + model.fingerprint().substring(0, 16);
    }

    /** This model with {@code edit} made to it ({@link PhiModel#edited}); close only the edited one. */
    public Phi edited(ModelEdit edit) {
        return new Phi(model.edited(edit), tokenizer);
    }

    public PhiModel model() {
        return model;
    }

    public PhiConfig config() {
        return model.config();
    }

    public Optional<Tokenizer> tokenizer() {
        return Optional.ofNullable(tokenizer);
    }

    /** The tokenizer, or an error saying the model directory has none. */
    public Tokenizer requireTokenizer() {
        if (tokenizer == null) {
            throw new IllegalArgumentException(model.directory() + " has no tokenizer.json; text needs one (token ids do not)");
        }
        return tokenizer;
    }

    public int[] encode(String text) {
        return requireTokenizer().encode(text);
    }

    public String decode(int[] ids) {
        return requireTokenizer().decode(ids);
    }

    /** The end-of-text token: the tokenizer's {@code <|endoftext|>}, else the config's {@code eos_token_id}. */
    public int endOfText() {
        return tokenizer != null ? tokenizer.endOfText() : model.config().eosTokenId();
    }

    /** Ids below this are real tokens; the embedding's padding rows above are never generated. */
    public int vocabularyLimit() {
        return tokenizer != null ? Math.min(tokenizer.vocabSize(), model.config().vocabSize()) : model.config().vocabSize();
    }

    public Generator.Result generate(int[] prompt, int maxNewTokens, Sampler.Settings settings, Hooks hooks,
                                     Generator.Listener listener) {
        return new Generator(model, endOfText(), vocabularyLimit()).generate(prompt, maxNewTokens, settings, hooks, listener);
    }

    /** {@link #generate(int[], int, Sampler.Settings, Hooks, Generator.Listener)} with no hook. */
    public Generator.Result generate(int[] prompt, int maxNewTokens, Sampler.Settings settings, Generator.Listener listener) {
        return generate(prompt, maxNewTokens, settings, newHooks(), listener);
    }

    /** A new, empty hook registry for this model; pass it to one forward pass or generation. */
    public Hooks newHooks() {
        return model.newHooks();
    }

    /** The logits {@code [T, V]} of {@code ids} run from the start, with {@code hooks} firing (TransformerLens's {@code run_with_hooks}). */
    public float[] run(int[] ids, Hooks hooks) {
        return model.forward(ids, hooks, PhiModel.Logits.ALL);
    }

    /**
     * Runs {@code ids} from the start and keeps what {@code selectors} pick (TransformerLens's
     * {@code run_with_cache}): {@code "blocks.*.hook_resid_post"}, {@code "blocks.2.attn.hook_pattern[head=1]"},
     * {@code "blocks.0:2.hook_mlp_out[pos=-1]"}. An unknown hook name fails before anything runs.
     */
    public CachedRun runWithCache(int[] ids, String... selectors) {
        return runWithCache(ids, newHooks(), selectors);
    }

    /**
     * {@link #runWithCache(int[], String...)} with {@code hooks} firing too; the selectors may name
     * points spliced into them, such as a SAE's {@code blocks.2.hook_resid_post.hook_sae_acts_post[feature=291]}.
     */
    public CachedRun runWithCache(int[] ids, Hooks hooks, String... selectors) {
        ActivationCache cache = ActivationCache.capture(hooks, HookSelector.parseAll(List.of(selectors)));
        return new CachedRun(run(ids, hooks), cache);
    }

    /** The logits {@code [T, V]} of a run and the activations it cached, by hook name. */
    public record CachedRun(float[] logits, ActivationCache cache) {
    }

    @Override
    public void close() {
        model.close();
    }
}
