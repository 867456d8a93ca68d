package phiscope.engine.model;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import phiscope.engine.io.Checkpoint;
import phiscope.engine.io.GgufWriter;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.io.Tensor;
import phiscope.engine.tensor.DType;
import phiscope.engine.tensor.Float16;
import phiscope.engine.tokenizer.TokenizerDefinition;

/**
 * Writes a Phi model as a GGUF file that llama.cpp loads as architecture {@code phi2}: the
 * matrices (embedding, attention, MLP, unembedding) in float16, the LayerNorm parameters and
 * biases in float32, the hyperparameters under llama.cpp's {@code phi2.*} keys and the tokenizer
 * as GPT-2 byte-level BPE with Phi-2's pre-tokenizer. Float16 matrices are copied bit for bit;
 * float32 and bfloat16 ones are rounded to the nearest float16, ties to even. The weights come
 * as {@link Weights}, so a checkpoint and an edited copy of one export the same way.
 */
public final class GgufExport {

    /**
     * The tensors of a Phi model under their Hugging Face names ({@code model.layers.0.mlp.fc1.weight},
     * ...), in F32, F16 or BF16: a checkpoint's ({@code checkpoint::find}), or edited ones in its place.
     */
    @FunctionalInterface
    public interface Weights {
        Optional<Tensor> find(String name);
    }

    private static final String ARCHITECTURE = "phi2";
    /** llama.cpp's name for the GPT-2 split as Phi-2's tokenizer applies it. */
    private static final String PRE_TOKENIZER = "phi-2";
    /** llama.cpp's LLAMA_FTYPE_MOSTLY_F16: float16 matrices, float32 vectors. */
    private static final int FILE_TYPE_MOSTLY_F16 = 1;

    // Token types, with llama.cpp's numbering.
    private static final int NORMAL = 1;
    private static final int CONTROL = 3;
    private static final int USER_DEFINED = 4;
    private static final int UNUSED = 5;

    private static final String TOKENIZER_FILE = "tokenizer.json";
    private static final String END_OF_TEXT = "<|endoftext|>";
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** One tensor of the file: its Hugging Face name, its GGUF name and its row-major shape. */
    record Mapping(String source, String target, int[] shape) {

        /** Matrices are written in float16, vectors (LayerNorm parameters, biases) in float32, as llama.cpp's F16 files have them. */
        boolean isMatrix() {
            return shape.length == 2;
        }
    }

    private GgufExport() {
    }

    /**
     * Exports a model directory ({@code config.json}, safetensors, {@code tokenizer.json}) to
     * {@code out}, with {@code general.name} the directory's name. The checkpoint must be one
     * phiscope loads: the tensors the config describes, each checked as loading checks it, and no others.
     */
    public static void export(Path modelDirectory, Path out) {
        export(modelDirectory, Map.of(), out);
    }

    /** {@link #export(Path, Path)} with {@code replaced} tensors written instead of the checkpoint's (an edit folded into the weights). */
    public static void export(Path modelDirectory, Map<String, Tensor> replaced, Path out) {
        if (!Files.isDirectory(modelDirectory)) {
            throw new ModelFormatException(modelDirectory, (Files.exists(modelDirectory) ? "is not a directory" : "does not exist")
                    + "; --model takes a model folder (config.json, *.safetensors, tokenizer.json)");
        }
        PhiConfig config = PhiConfig.load(modelDirectory);
        Path tokenizerFile = modelDirectory.resolve(TOKENIZER_FILE);
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new ModelFormatException(tokenizerFile, "file not found; a GGUF file carries its tokenizer, so the model "
                    + "folder needs the tokenizer.json it was trained with");
        }
        TokenizerDefinition tokenizer = TokenizerDefinition.read(tokenizerFile);
        try (Checkpoint checkpoint = Checkpoint.open(modelDirectory)) {
            PhiWeights.rejectMixFormer(checkpoint);
            Map<String, Tensor> tensors = new HashMap<>();
            for (Mapping m : layout(config, PhiWeights.isTied(checkpoint, config))) {
                tensors.computeIfAbsent(m.source(), name -> {
                    Tensor original = PhiWeights.checkedTensor(checkpoint, config, name, m.shape());
                    return replaced.getOrDefault(name, original);
                });
            }
            PhiWeights.rejectUnread(checkpoint, config, tensors.keySet());
            String name = modelDirectory.toAbsolutePath().normalize().getFileName().toString();
            write(config, tokenizer, name, source -> Optional.ofNullable(tensors.get(source)), out);
        }
    }

    /** Writes {@code weights}, which {@code config} describes, with {@code tokenizer}'s vocabulary, to {@code out}. */
    public static void write(PhiConfig config, TokenizerDefinition tokenizer, String name, Weights weights, Path out) {
        Vocabulary vocabulary = Vocabulary.of(tokenizer, config);
        GgufWriter gguf = new GgufWriter()
                .putString("general.architecture", ARCHITECTURE)
                .putString("general.name", name)
                .putUInt32("general.file_type", FILE_TYPE_MOSTLY_F16)
                .putUInt32(ARCHITECTURE + ".context_length", config.maxPositions())
                .putUInt32(ARCHITECTURE + ".embedding_length", config.hiddenSize())
                .putUInt32(ARCHITECTURE + ".feed_forward_length", config.intermediateSize())
                .putUInt32(ARCHITECTURE + ".block_count", config.numLayers())
                .putUInt32(ARCHITECTURE + ".attention.head_count", config.numHeads())
                // PhiConfig refuses grouped-query attention: every head has its own keys and values.
                .putUInt32(ARCHITECTURE + ".attention.head_count_kv", config.numHeads())
                .putFloat32(ARCHITECTURE + ".attention.layer_norm_epsilon", config.layerNormEps())
                .putUInt32(ARCHITECTURE + ".rope.dimension_count", config.rotaryDim())
                // llama.cpp assumes 10000 without the key; Phi-2's is 10000 too, but a config may say otherwise.
                .putFloat32(ARCHITECTURE + ".rope.freq_base", (float) config.ropeTheta())
                .putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", PRE_TOKENIZER)
                .putStrings("tokenizer.ggml.tokens", vocabulary.tokens())
                .putInt32s("tokenizer.ggml.token_type", vocabulary.types())
                .putStrings("tokenizer.ggml.merges", vocabulary.merges())
                .putUInt32("tokenizer.ggml.bos_token_id", vocabulary.endOfText())
                .putUInt32("tokenizer.ggml.eos_token_id", vocabulary.endOfText())
                // Phi-2 was trained without a BOS token, and phiscope encodes without one.
                .putBool("tokenizer.ggml.add_bos_token", false);
        boolean tied = weights.find("lm_head.weight").isEmpty();
        if (tied && !config.tieWordEmbeddings()) {
            throw new IllegalArgumentException("the weights have no tensor 'lm_head.weight' and the config does not set "
                    + "tie_word_embeddings");
        }
        for (Mapping m : layout(config, tied)) {
            Tensor tensor = weights.find(m.source()).orElseThrow(() -> new IllegalArgumentException(
                    "the weights have no tensor '" + m.source() + "' (for " + m.target() + ")"));
            if (!tensor.hasShape(m.shape())) {
                throw problem(tensor, "has shape " + Arrays.toString(tensor.shape()) + " but config.json implies "
                        + Arrays.toString(m.shape()));
            }
            if (!tensor.dtype().isWeightType()) {
                throw problem(tensor, "has dtype " + tensor.dtype() + "; GGUF export reads F32, F16 and BF16");
            }
            if (m.isMatrix()) {
                gguf.addTensor(m.target(), GgufWriter.TensorType.F16, m.shape(), arena -> toFloat16(tensor, arena));
            } else {
                gguf.addTensor(m.target(), GgufWriter.TensorType.F32, m.shape(), arena -> toFloat32(tensor, arena));
            }
        }
        gguf.write(out);
    }

    /**
     * Every tensor of the file, in the order written: llama.cpp's names for Phi's Hugging Face ones.
     * llama.cpp's phi2 always reads an {@code output.weight}, so a tied model has its embedding written twice.
     */
    static List<Mapping> layout(PhiConfig config, boolean tied) {
        int d = config.hiddenSize();
        int m = config.intermediateSize();
        int v = config.vocabSize();
        List<Mapping> layout = new ArrayList<>();
        layout.add(new Mapping("model.embed_tokens.weight", "token_embd.weight", new int[] {v, d}));
        for (int i = 0; i < config.numLayers(); i++) {
            String hf = "model.layers." + i + ".";
            String blk = "blk." + i + ".";
            layout.add(new Mapping(hf + "input_layernorm.weight", blk + "attn_norm.weight", new int[] {d}));
            layout.add(new Mapping(hf + "input_layernorm.bias", blk + "attn_norm.bias", new int[] {d}));
            linear(layout, hf + "self_attn.q_proj", blk + "attn_q", d, d);
            linear(layout, hf + "self_attn.k_proj", blk + "attn_k", d, d);
            linear(layout, hf + "self_attn.v_proj", blk + "attn_v", d, d);
            linear(layout, hf + "self_attn.dense", blk + "attn_output", d, d);
            linear(layout, hf + "mlp.fc1", blk + "ffn_up", m, d);
            linear(layout, hf + "mlp.fc2", blk + "ffn_down", d, m);
        }
        layout.add(new Mapping("model.final_layernorm.weight", "output_norm.weight", new int[] {d}));
        layout.add(new Mapping("model.final_layernorm.bias", "output_norm.bias", new int[] {d}));
        layout.add(new Mapping(tied ? "model.embed_tokens.weight" : "lm_head.weight", "output.weight", new int[] {v, d}));
        layout.add(new Mapping("lm_head.bias", "output.bias", new int[] {v}));
        return layout;
    }

    private static void linear(List<Mapping> layout, String source, String target, int out, int in) {
        layout.add(new Mapping(source + ".weight", target + ".weight", new int[] {out, in}));
        layout.add(new Mapping(source + ".bias", target + ".bias", new int[] {out}));
    }

    /** The tensor as little-endian float16: its own bytes if it is F16, else each value rounded to nearest, ties to even. */
    static MemorySegment toFloat16(Tensor tensor, Arena arena) {
        if (tensor.dtype() == DType.F16) {
            return tensor.data();
        }
        long n = tensor.elementCount();
        MemorySegment out = arena.allocate(2 * n);
        for (long i = 0; i < n; i++) {
            float value = tensor.getFloat(i);
            short half = Float16.fromFloat(value);
            if (Float16.isSpecial(half) && Float.isFinite(value)) {
                throw problem(tensor, "holds " + value + " at flat index " + i + ", beyond float16's range (largest "
                        + "65504): it has no float16 value, so the matrix cannot be exported as F16");
            }
            out.set(HALF, 2 * i, half);
        }
        return out;
    }

    /** The tensor as little-endian float32: its own bytes if it is F32, else widened (exactly). */
    static MemorySegment toFloat32(Tensor tensor, Arena arena) {
        if (tensor.dtype() == DType.F32) {
            return tensor.data();
        }
        long n = tensor.elementCount();
        MemorySegment out = arena.allocate(4 * n);
        for (long i = 0; i < n; i++) {
            out.set(FLOAT, 4 * i, tensor.getFloat(i));
        }
        return out;
    }

    private static RuntimeException problem(Tensor tensor, String message) {
        String what = "tensor '" + tensor.name() + "' " + message;
        return tensor.file() != null ? new ModelFormatException(tensor.file(), what) : new IllegalArgumentException(what);
    }

    /**
     * The token list as llama.cpp reads it, one entry per embedding row: vocabulary tokens in
     * their byte-level spelling ("Ġworld"), added tokens as their text (control tokens if special,
     * user-defined otherwise), and {@code [PADn]} (unused) for rows no token has, such as
     * Phi-2's ids 50295..51199. Merges are "left right" in rank order.
     */
    record Vocabulary(List<String> tokens, int[] types, List<String> merges, int endOfText) {

        static Vocabulary of(TokenizerDefinition tokenizer, PhiConfig config) {
            int rows = config.vocabSize();
            String[] tokens = new String[rows];
            int[] types = new int[rows];
            String[] vocabToken = new String[rows];
            requireRows(tokenizer, rows);
            tokenizer.vocab().forEach((token, id) -> {
                tokens[id] = token;
                types[id] = NORMAL;
                vocabToken[id] = token;
            });
            for (TokenizerDefinition.AddedToken added : tokenizer.addedTokens()) {
                tokens[added.id()] = added.content();
                types[added.id()] = added.special() ? CONTROL : USER_DEFINED;
            }
            Map<String, Integer> idOfText = new HashMap<>();
            for (int id = 0; id < rows; id++) {
                if (tokens[id] == null) {
                    tokens[id] = "[PAD" + id + "]";
                    types[id] = UNUSED;
                }
                // llama.cpp maps each token's text to one id and stops loading the file if two share it.
                Integer other = idOfText.putIfAbsent(tokens[id], id);
                if (other != null) {
                    throw new ModelFormatException(tokenizer.source(), "ids " + other + " and " + id + " are both the token '"
                            + tokens[id] + "'; llama.cpp needs every token's text to be unique");
                }
            }
            List<String> merges = new ArrayList<>(tokenizer.merges().size());
            for (TokenizerDefinition.Merge merge : tokenizer.merges()) {
                merges.add(vocabToken[merge.left()] + " " + vocabToken[merge.right()]);
            }
            // As phiscope generates: <|endoftext|> is Phi-2's BOS and EOS; config.json's eos_token_id if it has none.
            int endOfText = idOfText.getOrDefault(END_OF_TEXT, config.eosTokenId());
            if (endOfText >= rows) {
                throw new ModelFormatException(tokenizer.source(), "has no " + END_OF_TEXT + " token and config.json's eos_token_id "
                        + endOfText + " is beyond the model's " + rows + " embedding rows");
            }
            return new Vocabulary(List.of(tokens), types, List.copyOf(merges), endOfText);
        }

        /** Every token id must have its embedding row; the largest is named, whichever map it comes from. */
        private static void requireRows(TokenizerDefinition tokenizer, int rows) {
            Map<Integer, String> beyond = new TreeMap<>(Comparator.reverseOrder());
            tokenizer.vocab().forEach((token, id) -> {
                if (id >= rows) {
                    beyond.put(id, token);
                }
            });
            tokenizer.addedTokens().stream().filter(t -> t.id() >= rows).forEach(t -> beyond.put(t.id(), t.content()));
            if (!beyond.isEmpty()) {
                var largest = beyond.entrySet().iterator().next();
                throw new ModelFormatException(tokenizer.source(), "gives ids up to " + largest.getKey() + " ('" + largest.getValue()
                        + "'), but the model has " + rows + " embedding rows (vocab_size in config.json): tokenizer and model "
                        + "do not match");
            }
        }
    }
}
