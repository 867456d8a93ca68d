package phiscope.probes.intervention;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.io.Checkpoint;
import phiscope.engine.io.Tensor;
import phiscope.engine.model.PhiConfig;
import phiscope.engine.tensor.DType;

/**
 * An intervention written into the weights, where weights can say it exactly: the tensors that
 * change, for {@code phiscope export}. Phi's block adds {@code attn_out} and {@code mlp_out} to its
 * input, and each ends in a bias, so
 * <ul>
 *   <li>a one-row steering vector at {@code resid_post L}, {@code resid_pre L+1} or {@code mlp_out L}
 *       is added to block L's {@code mlp.fc2.bias}, one at {@code attn_out L} to its {@code dense.bias},
 *       one at {@code resid_pre 0} to every embedding row (an untied model only: a tied embedding is also the unembedding);</li>
 *   <li>a zero-ablated head zeroes its columns of block L's {@code self_attn.dense.weight}, a zero-ablated
 *       neuron its column of {@code mlp.fc2.weight}; a mean ablation also adds W[:, unit] · mean to the bias.</li>
 * </ul>
 * Edits weights cannot express are refused with the reason: ActAdd vectors and ablations limited
 * to some positions (weights act alike at every position), and SAE clamps (the SAE's encoder
 * decides, per token, how much a clamp adds). The changed biases (and embedding) are float32, so
 * that they hold the sum unrounded whatever the checkpoint's dtype; zeroed matrices keep theirs.
 * The folded model computes the same function as the live intervention, but adds in another
 * order, so its logits agree to float32 rounding rather than bit for bit.
 */
public final class WeightFolding {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Checkpoint checkpoint;
    private final PhiConfig config;
    private final Map<String, float[]> vectors = new LinkedHashMap<>();
    private final Map<String, float[]> tables = new LinkedHashMap<>();
    /** Per matrix, the input columns zeroed. */
    private final Map<String, Set<Integer>> zeroedColumns = new LinkedHashMap<>();
    private final Set<String> ablatedUnits = new HashSet<>();

    private WeightFolding(Checkpoint checkpoint, PhiConfig config) {
        this.checkpoint = checkpoint;
        this.config = config;
    }

    /** The checkpoint's tensors that {@code intervention} changes, by their Hugging Face names, allocated in {@code arena}. */
    public static Map<String, Tensor> fold(Intervention intervention, Checkpoint checkpoint, PhiConfig config, Arena arena) {
        WeightFolding folding = new WeightFolding(checkpoint, config);
        for (int i = 0; i < intervention.edits().size(); i++) {
            try {
                switch (intervention.edits().get(i)) {
                    case Intervention.Steer steer -> folding.steer(steer);
                    case Intervention.Ablate ablate -> folding.ablate(ablate);
                    case Intervention.Clamp clamp -> throw new IllegalArgumentException("a clamp holds a SAE feature at a value, and how "
                            + "much that adds depends on each token (the SAE's encoder decides): no weight does that");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("edit " + i + " (" + intervention.edits().get(i).summary() + ") cannot be folded into "
                        + "the weights: " + e.getMessage() + "; run it live with --intervention instead", e);
            }
        }
        return folding.tensors(arena);
    }

    private void steer(Intervention.Steer steer) {
        float[][] rows = steer.vector().rows();
        if (rows.length != 1) {
            throw new IllegalArgumentException("an ActAdd vector adds a different row at each position, and weights act alike at every position");
        }
        if (rows[0].length != config.hiddenSize()) {
            throw new IllegalArgumentException("the vector has " + rows[0].length + " entries, the residual stream " + config.hiddenSize());
        }
        HookPoint point = HookPoint.parse(steer.vector().hook(), config);
        int block = point.block();
        String bias = switch (point.site()) {
            case RESID_POST, MLP_OUT -> layer(block) + "mlp.fc2.bias";
            case ATTN_OUT -> layer(block) + "self_attn.dense.bias";
            case RESID_PRE -> block > 0 ? layer(block - 1) + "mlp.fc2.bias" : null;
            default -> throw new IllegalArgumentException(point.name() + " is not a steering site (" + String.join(", ",
                    phiscope.probes.steering.SteeringVector.SITES) + ")");
        };
        float c = (float) steer.coefficient();
        if (bias != null) {
            float[] b = vectors.computeIfAbsent(bias, name -> checkpoint.tensor(name).toFloatArray());
            // The same float32 products the live hook adds (SteeringVector.hook).
            for (int j = 0; j < b.length; j++) b[j] += c * rows[0][j];
            return;
        }
        if (config.tieWordEmbeddings()) {
            throw new IllegalArgumentException("blocks.0.hook_resid_pre is the embedding, and this model's embedding is also its "
                    + "unembedding (tie_word_embeddings): changing it would change the logits too");
        }
        String embedding = "model.embed_tokens.weight";
        float[] table = tables.computeIfAbsent(embedding, name -> checkpoint.tensor(name).toFloatArray());
        int d = config.hiddenSize();
        for (int row = 0; row < table.length / d; row++) {
            for (int j = 0; j < d; j++) table[row * d + j] += c * rows[0][j];
        }
    }

    private void ablate(Intervention.Ablate ablate) {
        if (ablate.positions() != null) {
            throw new IllegalArgumentException("it ablates some positions only, and weights act alike at every position");
        }
        HookPoint point = HookPoint.parse(ablate.hook(), config);
        boolean head = ablate.unit().equals("head");
        String prefix = layer(point.block()) + (head ? "self_attn.dense" : "mlp.fc2");
        int span = head ? config.headDim() : 1;
        Tensor weight = checkpoint.tensor(prefix + ".weight");
        int out = weight.shape()[0];
        int in = weight.shape()[1];
        Set<Integer> zeroed = zeroedColumns.computeIfAbsent(prefix + ".weight", name -> new HashSet<>());
        float[] bias = ablate.means() != null ? vectors.computeIfAbsent(prefix + ".bias", name -> checkpoint.tensor(name).toFloatArray()) : null;
        for (int unit : ablate.units()) {
            if (!ablatedUnits.add(point.name() + "#" + unit)) {
                throw new IllegalArgumentException(ablate.unit() + " " + unit + " of " + point.name() + " is ablated twice");
            }
            for (int col = unit * span; col < (unit + 1) * span; col++) {
                if (bias != null) {
                    float mean = ablate.means()[col];
                    for (int r = 0; r < out; r++) bias[r] += weight.getFloat((long) r * in + col) * mean;
                }
                zeroed.add(col);
            }
        }
    }

    private static String layer(int block) {
        return "model.layers." + block + ".";
    }

    private Map<String, Tensor> tensors(Arena arena) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<Map.Entry<String, float[]>> floats = new ArrayList<>(vectors.entrySet());
        floats.addAll(tables.entrySet());
        for (Map.Entry<String, float[]> e : floats) {
            Tensor original = checkpoint.tensor(e.getKey());
            float[] values = e.getValue();
            MemorySegment data = arena.allocate(4L * values.length);
            for (int i = 0; i < values.length; i++) data.set(F32, 4L * i, values[i]);
            out.put(e.getKey(), new Tensor(e.getKey(), DType.F32, original.shape(), data, original.file()));
        }
        for (Map.Entry<String, Set<Integer>> e : zeroedColumns.entrySet()) {
            Tensor original = checkpoint.tensor(e.getKey());
            MemorySegment data = arena.allocate(original.data().byteSize());
            MemorySegment.copy(original.data(), 0, data, 0, data.byteSize());
            long element = original.dtype().bytes();
            int rows = original.shape()[0];
            int cols = original.shape()[1];
            for (int r = 0; r < rows; r++) {
                for (int col : e.getValue()) data.asSlice(((long) r * cols + col) * element, element).fill((byte) 0);
            }
            out.put(e.getKey(), new Tensor(e.getKey(), original.dtype(), original.shape(), data, original.file()));
        }
        return out;
    }
}
