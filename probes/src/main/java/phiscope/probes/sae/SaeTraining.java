package phiscope.probes.sae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import phiscope.engine.Phi;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.HookSite;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.io.SafeTensorsFile;
import phiscope.engine.io.SafeTensorsWriter;
import phiscope.engine.io.Tensor;
import phiscope.engine.model.PhiModel;
import phiscope.engine.tensor.DType;
import phiscope.probes.Progress;
import phiscope.probes.io.ProbesJson;

/**
 * A whole training run: activations streamed from a corpus through the model into a shuffling
 * buffer of bounded size, {@link SaeTrainer} steps on batches drawn from it, a checkpoint in the
 * output folder as it goes, and the finished SAE saved there in SAELens's layout
 * ({@code cfg.json}, {@code sae_weights.safetensors}, {@code sparsity.safetensors}).
 *
 * <p>The buffer holds {@code bufferRows} activations; once full it is shuffled, its first half is
 * served as batches, then refilled from the stream and the whole buffer shuffled again, so each
 * batch mixes tokens from many windows (neighbouring tokens are strongly correlated). A run
 * killed at any point and started again with the same arguments continues from its last
 * checkpoint: weights, Adam's moments and dead-feature counters as saved, the corpus resumed at
 * the window the checkpoint reached, the buffer refilled from there.
 */
public final class SaeTraining {

    private static final ObjectMapper JSON = ProbesJson.MAPPER;
    static final String CHECKPOINT = "checkpoint.safetensors";

    /** How activations are gathered and how often the run is saved. */
    public record Options(Path corpus, Path out, int contextSize, int bufferRows, long checkpointEveryTokens) {

        public Options {
            if (bufferRows < 2) {
                throw new IllegalArgumentException("--buffer must hold at least 2 activations, not " + bufferRows);
            }
            if (checkpointEveryTokens < 1) {
                throw new IllegalArgumentException("--checkpoint-every must be at least 1 token");
            }
        }
    }

    /**
     * What a run did: the trained SAE's folder, its last step's statistics, whether it continued a
     * checkpoint, and its speed: overall, and of its two halves, the model's forward passes that
     * fill the buffer and the trainer's steps.
     */
    public record Result(Path folder, long tokens, long steps, SaeTrainer.StepStats last, boolean resumed, double tokensPerSecond,
            double forwardTokensPerSecond, double trainingTokensPerSecond, int skippedFiles) {
    }

    private SaeTraining() {
    }

    public static Result run(Phi phi, SaeTrainer.Settings settings, Options options, Progress progress) {
        HookPoint host = HookPoint.parse(settings.hookName(), phi.config());
        HookSite.Layout layout = host.site().layout();
        if (layout != HookSite.Layout.TOKENS_MODEL && layout != HookSite.Layout.TOKENS_MLP) {
            throw new IllegalArgumentException("SAEs train on hooks with one vector per token (hook_resid_*, hook_*_out, "
                    + "ln*.hook_normalized, mlp.hook_pre/post), not " + host.name());
        }
        int dIn = host.shape(phi.config(), 1, 1)[1];
        Path out = options.out();
        if (Files.exists(out.resolve("cfg.json"))) {
            throw new IllegalArgumentException(out + " already holds a trained SAE (cfg.json); choose another --out");
        }
        Corpus corpus = Corpus.open(options.corpus(), phi::encode, options.contextSize());
        Path checkpoint = out.resolve(CHECKPOINT);
        Buffer buffer = new Buffer(phi, host, corpus, options.bufferRows(), dIn, settings.seed());
        SaeTrainer trainer;
        long started = System.nanoTime();
        boolean resumed = Files.exists(checkpoint);
        if (resumed) {
            Checkpoint saved = Checkpoint.read(checkpoint, settings, options, dIn);
            corpus.skip(saved.windowsRead());
            buffer.refills = saved.refills();
            trainer = SaeTrainer.resume(settings, dIn, saved.state(), phi.model().pool());
        } else {
            createDirectories(out);
            buffer.fill();
            trainer = SaeTrainer.initialise(settings, dIn, buffer.rows, buffer.filled, phi.model().pool());
        }
        float[] batch = new float[settings.batchSize() * dIn];
        SaeTrainer.StepStats last = null;
        long trainingNanos = 0;
        long startTokens = trainer.tokensTrained();
        long nextCheckpoint = trainer.tokensTrained() + options.checkpointEveryTokens();
        while (trainer.tokensTrained() < settings.tokens()) {
            int rows = buffer.nextBatch(batch, (int) Math.min(settings.batchSize(), settings.tokens() - trainer.tokensTrained()));
            if (rows == 0) {
                break; // the corpus ran out: the SAE is saved with the tokens it saw
            }
            long stepStart = System.nanoTime();
            last = trainer.step(batch, rows);
            trainingNanos += System.nanoTime() - stepStart;
            progress.advance(String.format(Locale.ROOT, "mse %.4g, L0 %.1f, dead %d", last.mse(), last.l0(), last.dead()),
                    (int) Math.min(Integer.MAX_VALUE, trainer.tokensTrained()), (int) Math.min(Integer.MAX_VALUE, settings.tokens()));
            if (trainer.tokensTrained() >= nextCheckpoint && trainer.tokensTrained() < settings.tokens()) {
                Checkpoint.write(checkpoint, trainer.state(), settings, options, corpus.windowsRead(), buffer.refills);
                nextCheckpoint += options.checkpointEveryTokens();
            }
        }
        if (trainer.tokensTrained() == 0) {
            throw new IllegalArgumentException(options.corpus() + ": no windows of at least 8 tokens to train on");
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        save(out, trainer, settings, options, phi.id());
        try {
            Files.deleteIfExists(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + checkpoint + ": " + e.getMessage(), e);
        }
        long trained = trainer.tokensTrained() - startTokens;
        return new Result(out, trainer.tokensTrained(), trainer.step(), last, resumed, trained / seconds,
                buffer.forwardTokens / (buffer.forwardNanos / 1e9), trained / (trainingNanos / 1e9), corpus.skippedFiles());
    }

    /** Writes the SAE as SAELens 6.x saves one, so that {@code SAE.load_from_disk} reads it unchanged. */
    static void save(Path out, SaeTrainer trainer, SaeTrainer.Settings settings, Options options, String modelName) {
        int dSae = settings.dSae();
        float[] bDec = trainer.decoderBias();
        int dIn = bDec.length;
        List<SafeTensorsWriter.Entry> tensors = new ArrayList<>(List.of(
                SafeTensorsWriter.Entry.floats("W_enc", new int[] {dIn, dSae}, trainer.encoderWeights()),
                SafeTensorsWriter.Entry.floats("W_dec", new int[] {dSae, dIn}, trainer.decoderWeights()),
                SafeTensorsWriter.Entry.floats("b_enc", new int[] {dSae}, trainer.encoderBias()),
                SafeTensorsWriter.Entry.floats("b_dec", new int[] {dIn}, bDec)));
        if (settings.architecture() == SaeConfig.Architecture.JUMPRELU) {
            // SAELens trains log_threshold and saves its exponential as "threshold"
            tensors.add(SafeTensorsWriter.Entry.floats("threshold", new int[] {dSae}, trainer.threshold()));
        }
        SafeTensorsWriter.write(out.resolve("sae_weights.safetensors"), Map.of(), tensors);
        ObjectNode cfg = JSON.createObjectNode();
        cfg.put("d_in", dIn);
        cfg.put("d_sae", dSae);
        cfg.put("dtype", "float32");
        cfg.put("device", "cpu");
        cfg.put("apply_b_dec_to_input", true);
        cfg.put("normalize_activations", "none");
        cfg.put("reshape_activations", "none");
        cfg.put("architecture", settings.architecture().name().toLowerCase(Locale.ROOT));
        if (settings.architecture() == SaeConfig.Architecture.TOPK) {
            cfg.put("k", settings.k());
            cfg.put("rescale_acts_by_decoder_norm", false);
        }
        ObjectNode metadata = cfg.putObject("metadata");
        metadata.put("model_name", modelName);
        metadata.put("hook_name", settings.hookName());
        metadata.putNull("hook_head_index");
        metadata.put("prepend_bos", false);
        metadata.put("context_size", options.contextSize());
        metadata.put("dataset_path", options.corpus().toString());
        // SAELens reads a cfg.json without sae_lens_version (or below 6) as its old flat layout; this is the 6.x layout
        metadata.put("sae_lens_version", "6.18.0");
        metadata.put("trained_by", "phiscope");
        metadata.put("training_tokens", trainer.tokensTrained());
        metadata.put("learning_rate", settings.learningRate());
        metadata.put("seed", settings.seed());
        switch (settings.architecture()) {
            case STANDARD -> metadata.put("l1_coefficient", settings.sparsity());
            case JUMPRELU -> {
                metadata.put("l0_coefficient", settings.sparsity());
                metadata.put("jumprelu_bandwidth", settings.bandwidth());
                metadata.put("jumprelu_init_threshold", settings.initialThreshold());
            }
            default -> {
            }
        }
        try {
            Path partial = out.resolve("cfg.json.partial");
            Files.writeString(partial, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(cfg) + "\n");
            Files.move(partial, out.resolve("cfg.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out.resolve("cfg.json") + ": " + e.getMessage(), e);
        }
    }

    private static void createDirectories(Path out) {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + out + ": " + e.getMessage(), e);
        }
    }

    /** The shuffling buffer between the model and the trainer. */
    private static final class Buffer {
        final Phi phi;
        final HookPoint host;
        final Corpus corpus;
        final int capacity;
        final int dIn;
        final long seed;
        final float[] rows;
        int filled;
        int served;
        int refills;
        boolean exhausted;
        long forwardTokens;
        long forwardNanos;

        Buffer(Phi phi, HookPoint host, Corpus corpus, int capacity, int dIn, long seed) {
            this.phi = phi;
            this.host = host;
            this.corpus = corpus;
            this.capacity = capacity;
            this.dIn = dIn;
            this.seed = seed;
            this.rows = new float[Math.multiplyExact(capacity, dIn)];
        }

        /** Tops the buffer up to capacity from the stream (the last window may be cut), then shuffles it. */
        void fill() {
            while (filled < capacity && !exhausted) {
                int[] window = corpus.next();
                if (window == null) {
                    exhausted = true;
                    break;
                }
                Hooks hooks = phi.newHooks();
                hooks.observe(host, a -> {
                    int take = Math.min(a.shape()[0], capacity - filled);
                    System.arraycopy(a.data(), a.offset(), rows, filled * dIn, take * dIn);
                    filled += take;
                });
                long start = System.nanoTime();
                phi.model().forward(window, hooks, PhiModel.Logits.NONE);
                forwardNanos += System.nanoTime() - start;
                forwardTokens += window.length;
            }
            SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + refills++);
            float[] swap = new float[dIn];
            for (int i = filled - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                System.arraycopy(rows, i * dIn, swap, 0, dIn);
                System.arraycopy(rows, j * dIn, rows, i * dIn, dIn);
                System.arraycopy(swap, 0, rows, j * dIn, dIn);
            }
            served = 0;
        }

        /** Copies up to {@code n} rows into {@code batch}; 0 once the corpus and the buffer are both used up. */
        int nextBatch(float[] batch, int n) {
            if (served >= servable()) {
                // drop the served rows, keep the rest, top up from the stream and shuffle again
                int keep = filled - served;
                System.arraycopy(rows, served * dIn, rows, 0, keep * dIn);
                filled = keep;
                fill();
                if (servable() == 0) {
                    return 0;
                }
            }
            int take = Math.min(n, servable() - served);
            System.arraycopy(rows, served * dIn, batch, 0, take * dIn);
            served += take;
            return take;
        }

        /** Rows that may be served before the next refill: the first half, or all of it once the stream has ended. */
        private int servable() {
            return exhausted ? filled : filled / 2;
        }
    }

    /** The checkpoint file: the trainer's state as tensors, and in the metadata what the run was and where it was. */
    private record Checkpoint(SaeTrainer.State state, long windowsRead, int refills) {

        static void write(Path file, SaeTrainer.State state, SaeTrainer.Settings settings, Options options, long windowsRead,
                int refills) {
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("settings", JSON.valueToTree(settings).toString());
            metadata.put("corpus", options.corpus().toString());
            metadata.put("context_size", Integer.toString(options.contextSize()));
            metadata.put("windows_read", Long.toString(windowsRead));
            metadata.put("refills", Integer.toString(refills));
            metadata.put("step", Long.toString(state.step()));
            metadata.put("tokens_trained", Long.toString(state.tokensTrained()));
            long[] since = state.tokensSinceFired();
            SafeTensorsWriter.write(file, metadata, List.of(
                    SafeTensorsWriter.Entry.floats("enc", new int[] {state.enc().length}, state.enc()),
                    SafeTensorsWriter.Entry.floats("b_enc", new int[] {state.bEnc().length}, state.bEnc()),
                    SafeTensorsWriter.Entry.floats("dec", new int[] {state.dec().length}, state.dec()),
                    SafeTensorsWriter.Entry.floats("b_dec", new int[] {state.bDec().length}, state.bDec()),
                    SafeTensorsWriter.Entry.floats("log_threshold", new int[] {state.logThreshold().length}, state.logThreshold()),
                    SafeTensorsWriter.Entry.floats("adam", new int[] {state.moments().length}, state.moments()),
                    new SafeTensorsWriter.Entry("tokens_since_fired", DType.I64, new int[] {since.length}, segment -> {
                        for (int i = 0; i < since.length; i++) {
                            segment.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i, since[i]);
                        }
                    })));
        }

        /** Reads a checkpoint, refusing one written by a run with other settings (which would silently mix two runs). */
        static Checkpoint read(Path file, SaeTrainer.Settings settings, Options options, int dIn) {
            try (Arena arena = Arena.ofConfined()) {
                SafeTensorsFile saved = SafeTensorsFile.open(file, arena);
                Map<String, String> metadata = saved.metadata();
                JsonNode savedSettings = JSON.readTree(metadata.getOrDefault("settings", "{}"));
                JsonNode now = JSON.valueToTree(settings);
                for (var field : (Iterable<Map.Entry<String, JsonNode>>) now::fields) {
                    // compared as text: the file's 0.001 reads back as a double, the settings' as a float
                    if (!field.getValue().toString().equals(String.valueOf(savedSettings.get(field.getKey())))) {
                        throw new IllegalArgumentException(file + " is the checkpoint of a run with " + field.getKey() + " = "
                                + savedSettings.get(field.getKey()) + ", not " + field.getValue()
                                + ": start it again with its settings, or choose another --out");
                    }
                }
                for (String key : List.of("corpus", "context_size")) {
                    String expected = key.equals("corpus") ? options.corpus().toString() : Integer.toString(options.contextSize());
                    if (!expected.equals(metadata.get(key))) {
                        throw new IllegalArgumentException(file + " is the checkpoint of a run with " + key + " = "
                                + metadata.get(key) + ", not " + expected + ": start it again with its settings, or choose another --out");
                    }
                }
                Tensor since = saved.tensor("tokens_since_fired");
                long[] tokensSinceFired = new long[(int) since.elementCount()];
                MemorySegment data = since.data();
                for (int i = 0; i < tokensSinceFired.length; i++) {
                    tokensSinceFired[i] = data.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), i);
                }
                SaeTrainer.State state = new SaeTrainer.State(saved.tensor("enc").toFloatArray(), saved.tensor("b_enc").toFloatArray(),
                        saved.tensor("dec").toFloatArray(), saved.tensor("b_dec").toFloatArray(),
                        saved.tensor("log_threshold").toFloatArray(), saved.tensor("adam").toFloatArray(),
                        tokensSinceFired, Long.parseLong(metadata.get("step")), Long.parseLong(metadata.get("tokens_trained")));
                return new Checkpoint(state, Long.parseLong(metadata.get("windows_read")), Integer.parseInt(metadata.get("refills")));
            } catch (IOException e) {
                throw new ModelFormatException(file, "unreadable checkpoint: " + e.getMessage(), e);
            } catch (NumberFormatException | NullPointerException e) {
                throw new ModelFormatException(file, "the checkpoint's metadata is incomplete; delete it to start the run afresh");
            }
        }
    }
}
