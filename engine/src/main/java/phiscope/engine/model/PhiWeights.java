package phiscope.engine.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import phiscope.engine.io.Checkpoint;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.io.Tensor;
import phiscope.engine.tensor.DType;
import phiscope.engine.tensor.LayerNorm;
import phiscope.engine.tensor.Linear;
import phiscope.engine.tensor.PackedMatrix;
import phiscope.engine.tensor.RowMajorMatrix;
import phiscope.engine.tensor.WeightFormat;
import phiscope.engine.tensor.WeightMatrix;
import phiscope.engine.tensor.WeightMemory;
import phiscope.engine.tensor.WorkerPool;

/**
 * Phi's parameters, checked against the config. The matrices the model multiplies by stay in the
 * checkpoint's dtype, mapped from the files or copied into {@link WeightMemory} as
 * {@link WeightOptions} say (or are quantized there); the untied embedding, only ever looked up,
 * stays mapped; only the small vectors (biases, LayerNorm parameters) are widened to float32.
 */
public record PhiWeights(WeightMatrix embedding, List<Block> blocks, LayerNorm finalNorm, Linear lmHead) {

    /** One parallel block: one LayerNorm feeding both attention and the MLP. */
    public record Block(LayerNorm norm, Linear q, Linear k, Linear v, Linear dense, Linear fc1, Linear fc2) {

        public List<Linear> linears() {
            return List.of(q, k, v, dense, fc1, fc2);
        }
    }

    public static PhiWeights load(Checkpoint checkpoint, PhiConfig config, WeightOptions options, WeightMemory memory,
                                  WorkerPool pool) {
        rejectMixFormer(checkpoint);
        Loader loader = new Loader(checkpoint, config, options, memory, pool, new HashSet<>());
        int d = config.hiddenSize();
        int m = config.intermediateSize();
        boolean tied = isTied(checkpoint, config);
        // Tied, one matrix serves both, as in transformers: the embedding rows are the unembedding's.
        WeightMatrix embedding = tied
                ? loader.matrix("model.embed_tokens.weight", config.vocabSize(), d)
                : loader.lookupTable("model.embed_tokens.weight", config.vocabSize(), d);
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            blocks.add(new Block(
                    loader.norm(p + "input_layernorm", d),
                    loader.linear(p + "self_attn.q_proj", d, d),
                    loader.linear(p + "self_attn.k_proj", d, d),
                    loader.linear(p + "self_attn.v_proj", d, d),
                    loader.linear(p + "self_attn.dense", d, d),
                    loader.linear(p + "mlp.fc1", m, d),
                    loader.linear(p + "mlp.fc2", d, m)));
        }
        LayerNorm finalNorm = loader.norm("model.final_layernorm", d);
        Linear lmHead = tied
                ? new Linear(embedding, loader.vector("lm_head.bias", config.vocabSize()))
                : loader.linear("lm_head", config.vocabSize(), d);
        rejectUnread(checkpoint, config, loader.read());
        return new PhiWeights(embedding, List.copyOf(blocks), finalNorm, lmHead);
    }

    /** Whether the unembedding is the embedding: a tied checkpoint has no {@code lm_head.weight}, and its config must say so. */
    static boolean isTied(Checkpoint checkpoint, PhiConfig config) {
        boolean tied = !checkpoint.contains("lm_head.weight");
        if (tied && !config.tieWordEmbeddings()) {
            throw new ModelFormatException(checkpoint.directory(), "the checkpoint has no tensor 'lm_head.weight' and "
                    + "config.json does not set tie_word_embeddings");
        }
        return tied;
    }

    /**
     * The checkpoint's tensor {@code name} as {@link #load} accepts it: of a weight dtype, the one
     * config.json declares (if it declares one; a vector may also be float32), and of {@code shape}. Exporters check with it too,
     * so that they write exactly the models phiscope runs.
     */
    static Tensor checkedTensor(Checkpoint checkpoint, PhiConfig config, String name, int... shape) {
        Tensor t = checkpoint.tensor(name);
        if (!t.dtype().isWeightType()) {
            throw new ModelFormatException(t.file(), "tensor '" + name + "' has unsupported dtype " + t.dtype()
                    + " (supported: F32, F16, BF16)");
        }
        // A vector may be float32 whatever the declared dtype: the engine widens vectors to float32
        // anyway, and `export --intervention` writes the biases it folds edits into in float32, unrounded.
        boolean f32Vector = t.dtype() == DType.F32 && shape.length == 1;
        config.dtype().map(PhiWeights::dtypeOf).ifPresent(declared -> {
            if (declared != t.dtype() && !f32Vector) {
                throw new ModelFormatException(t.file(), "tensor '" + name + "' is " + t.dtype() + " but config.json declares "
                        + config.dtype().get());
            }
        });
        if (!t.hasShape(shape)) {
            throw new ModelFormatException(t.file(), "tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + " but config.json implies " + Arrays.toString(shape));
        }
        return t;
    }

    /**
     * A tensor the config does not account for means config and weights disagree (most often
     * {@code num_hidden_layers} below the checkpoint's blocks): running would silently be another
     * model. Rotary frequency buffers, which older exports saved and transformers recomputes, are
     * the one exception.
     */
    static void rejectUnread(Checkpoint checkpoint, PhiConfig config, Set<String> read) {
        List<String> unread = checkpoint.names().stream()
                .filter(name -> !read.contains(name) && !name.endsWith("rotary_emb.inv_freq"))
                .sorted()
                .toList();
        if (unread.isEmpty()) {
            return;
        }
        int lastBlock = unread.stream()
                .map(name -> name.matches("model\\.layers\\.\\d+\\..*") ? Integer.parseInt(name.split("\\.")[2]) : -1)
                .max(Integer::compare).orElse(-1);
        String hint = lastBlock >= config.numLayers()
                ? "; config.json says num_hidden_layers " + config.numLayers() + " but the checkpoint has blocks up to "
                        + lastBlock + " (set num_hidden_layers to " + (lastBlock + 1) + ")"
                : "; the config and the weights describe different models";
        throw new ModelFormatException(checkpoint.directory(), unread.size() + " tensor(s) that config.json does not account for: "
                + String.join(", ", unread.subList(0, Math.min(5, unread.size()))) + (unread.size() > 5 ? ", ..." : "") + hint);
    }

    static void rejectMixFormer(Checkpoint checkpoint) {
        boolean mixFormer = checkpoint.names().stream().anyMatch(n -> n.matches("(transformer\\.)?layers\\.\\d+\\.mixer\\..*"));
        if (mixFormer) {
            throw new ModelFormatException(checkpoint.directory(), "holds the old MixFormer layout of Phi (layers.N.mixer.*), "
                    + "which phiscope does not read; download the current microsoft/phi-2 from the Hugging Face Hub "
                    + "(huggingface-cli download microsoft/phi-2 --local-dir models/phi-2)");
        }
    }

    /** Fetches tensors, checks their dtype and shape against the config, and stores matrices as the options say. */
    private record Loader(Checkpoint checkpoint, PhiConfig config, WeightOptions options, WeightMemory memory,
                          WorkerPool pool, Set<String> read) {

        Tensor tensor(String name, int... shape) {
            Tensor t = checkedTensor(checkpoint, config, name, shape);
            read.add(name);
            return t;
        }

        /** A matrix the kernels multiply by: mapped, or packed (and maybe quantized) into memory. */
        WeightMatrix matrix(String name, int rows, int cols) {
            Tensor t = tensor(name, rows, cols);
            RowMajorMatrix file = new RowMajorMatrix(name, t.dtype(), rows, cols, t.data());
            if (options.storage() == WeightOptions.Storage.MMAP) {
                return file;
            }
            WeightFormat format = options.quantization().orElse(file.format());
            PackedMatrix packed = PackedMatrix.pack(file, format, memory, pool);
            release(t);
            return packed;
        }

        /**
         * A matrix only looked up by row (the untied embedding) stays in the file mapping, whatever the
         * storage: only the rows that prompts use are ever paged in, instead of all 262 MB of Phi-2's.
         */
        WeightMatrix lookupTable(String name, int rows, int cols) {
            Tensor t = tensor(name, rows, cols);
            WeightMemory.adviseRandomAccess(t.data());
            return new RowMajorMatrix(name, t.dtype(), rows, cols, t.data());
        }

        /** Drops the file pages of a copied tensor from this process, so the copy does not count twice. */
        private static void release(Tensor t) {
            if (t.data().isMapped()) {
                t.data().unload();
            }
        }

        float[] vector(String name, int length) {
            return tensor(name, length).toFloatArray();
        }

        Linear linear(String prefix, int out, int in) {
            return new Linear(matrix(prefix + ".weight", out, in), vector(prefix + ".bias", out));
        }

        LayerNorm norm(String prefix, int width) {
            return new LayerNorm(vector(prefix + ".weight", width), vector(prefix + ".bias", width), config.layerNormEps());
        }
    }

    private static DType dtypeOf(String torchName) {
        return switch (torchName) {
            case "float32" -> DType.F32;
            case "float16" -> DType.F16;
            case "bfloat16" -> DType.BF16;
            default -> null;
        };
    }

    /** The matrices a decode step streams, in the order it reads them: every block's, then the unembedding (embedding rows are looked up, not streamed). */
    public List<WeightMatrix> streamedMatrices() {
        List<WeightMatrix> matrices = new ArrayList<>();
        for (Block b : blocks) {
            for (Linear l : b.linears()) {
                matrices.add(l.weight());
            }
        }
        matrices.add(lmHead.weight());
        return matrices;
    }

    /** Bytes of the matrices a decode step streams. */
    public long streamedBytes() {
        return streamedMatrices().stream().mapToLong(WeightMatrix::byteSize).sum();
    }

    /** The format the block matrices are held in. */
    public WeightFormat format() {
        return blocks.getFirst().q().weight().format();
    }
}
