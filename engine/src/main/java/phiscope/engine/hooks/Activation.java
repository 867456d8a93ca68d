package phiscope.engine.hooks;

import java.util.Arrays;

/**
 * The activation at a hook point, as a row-major view of the forward pass's own buffer: reading
 * it costs nothing, and writes through {@link #set} or {@link #data()} change what the rest of
 * the forward pass sees. Valid only during the hook call; copy what must outlive it.
 */
public final class Activation {

    private final HookPoint point;
    private final String name;
    private final float[] data;
    private final int offset;
    private final int[] shape;
    private final int[] positions;

    public Activation(HookPoint point, float[] data, int offset, int[] shape, int[] positions) {
        this(point, point.name(), data, offset, shape, positions);
    }

    /**
     * An activation of a module spliced in at {@code point} (a sparse autoencoder's
     * {@code blocks.2.hook_resid_post.hook_sae_acts_post}), named {@code name}.
     */
    public Activation(HookPoint point, String name, float[] data, int offset, int[] shape, int[] positions) {
        this.point = point;
        this.name = name;
        this.data = data;
        this.offset = offset;
        this.shape = shape;
        this.positions = positions;
    }

    /** The model's hook point this activation is at, or that the module it belongs to is spliced in at. */
    public HookPoint point() {
        return point;
    }

    public String name() {
        return name;
    }

    /** The backing buffer; the activation occupies {@code size()} floats from {@link #offset()}. */
    public float[] data() {
        return data;
    }

    public int offset() {
        return offset;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int size() {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** The position in its sequence of each query row (rows of a packed batch restart at 0 per text). */
    public int[] positions() {
        return positions.clone();
    }

    public float get(int... index) {
        return data[offset + flatIndex(index)];
    }

    public void set(float value, int... index) {
        data[offset + flatIndex(index)] = value;
    }

    public float[] copy() {
        return Arrays.copyOfRange(data, offset, offset + size());
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(name() + " has " + shape.length + " dimensions " + Arrays.toString(shape)
                    + ", got an index with " + index.length);
        }
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException(name() + " " + Arrays.toString(shape) + ": index " + Arrays.toString(index)
                        + " is out of range in dimension " + d);
            }
            flat = flat * shape[d] + index[d];
        }
        return flat;
    }
}
