package phiscope.engine.tensor;

import static phiscope.engine.tensor.WeightFormat.BLOCK;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * llama.cpp's block formats in panels: each block of {@link WeightFormat#BLOCK} columns of a
 * panel holds the PANEL rows' float16 scales, then the rows' quants column by column (one byte
 * per column, or one per column pair), so that a kernel reads a block's quants for all rows as
 * contiguous vectors. The formats differ only in how a run of 32 weights becomes quants.
 */
abstract sealed class BlockQuantizedMatrix extends PackedMatrix permits Q8Matrix, Q4Matrix {

    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The scales of a block of one or two panels, decoded once per block. */
    private static final ThreadLocal<float[]> SCALES = ThreadLocal.withInitial(() -> new float[2 * PANEL]);

    /** Bytes of one block: PANEL scales and PANEL rows of {@code quantBytes}. */
    protected final long blockBytes;

    /** {@code quantBytes}: bytes of quants per row and block. */
    protected BlockQuantizedMatrix(String name, int rows, int cols, WeightMemory memory, int quantBytes) {
        this(name, rows, cols, memory, (long) PANEL * (2 + quantBytes));
    }

    private BlockQuantizedMatrix(String name, int rows, int cols, WeightMemory memory, long blockBytes) {
        super(name, rows, cols, memory.allocate((cols + BLOCK - 1) / BLOCK * blockBytes * ((rows + PANEL - 1) / PANEL)),
                (cols + BLOCK - 1) / BLOCK * blockBytes);
        this.blockBytes = blockBytes;
        Quantization.requireByteLanes();
    }

    /**
     * Quantizes {@code n} weights of {@code row} from {@code from} into {@code q}, returning their
     * float16 scale; {@link #storeQuants} then writes them.
     */
    abstract short quantize(float[] row, int from, int n, byte[] q);

    /** Writes the quants of row {@code j} of a panel into the block at {@code quants}. */
    abstract void storeQuants(long quants, int j, byte[] q);

    @Override
    final void packPanel(RowMajorMatrix source, int panel) {
        float[] row = new float[cols];
        byte[] q = new byte[BLOCK];
        for (int j = 0, count = rowsIn(panel); j < count; j++) {
            source.decodeRows(panel * PANEL + j, 1, row, 0);
            for (int k0 = 0; k0 < cols; k0 += BLOCK) {
                long block = block(panel, k0);
                data.set(HALF, block + 2L * j, quantize(row, k0, Math.min(BLOCK, cols - k0), q));
                storeQuants(quants(block), j, q);
            }
        }
    }

    /** Offset of the block that holds column {@code col} of panel {@code panel}. */
    protected final long block(int panel, int col) {
        return panelOffset(panel) + col / BLOCK * blockBytes;
    }

    /** Offset of a block's quants, after its scales. */
    protected static long quants(long block) {
        return block + 2L * PANEL;
    }

    /**
     * A block's quants as a segment of their own, indexed from zero: C2 then proves a kernel's
     * loads in bounds once per block instead of checking each.
     */
    protected final MemorySegment blockQuants(long block) {
        return data.asSlice(quants(block), blockBytes - 2L * PANEL);
    }

    /** The scale of row {@code j} of a block. */
    protected final float scale(long block, int j) {
        return Float16.toFloat(data.get(HALF, block + 2L * j));
    }

    /** This thread's buffer for a block's scales: fetched once per call, not once per block. */
    protected static float[] scaleBuffer() {
        return SCALES.get();
    }

    /**
     * Decodes a block's PANEL scales into {@code scales} (a {@link #scaleBuffer}) from
     * {@code offset} (0 or PANEL) with the hardware's conversion: a quantized scale is
     * {@link Float#floatToFloat16}'s, so never a signalling NaN that the tiers would decode apart.
     */
    protected final void decodeScales(long block, float[] scales, int offset) {
        Float16.decodeFiniteF16(data, block, PANEL, scales, offset);
    }
}
