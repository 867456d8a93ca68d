package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * F32, F16 or BF16 weights in panels, bit for bit the checkpoint's values; rows past the end are
 * zero. The 16-bit formats store each pair of row vectors interleaved ({@link Float16#decodeF16Pairs}),
 * so one 32-bit lane load feeds two float vectors without a widening conversion.
 */
public final class PackedFloats extends PackedMatrix {

    private static final ValueLayout.OfFloat SINGLE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final DType dtype;
    private final int elementBytes;
    /** No F16 infinity or NaN among the weights: the decode can skip the check (cleared while packing). */
    private volatile boolean finite = true;

    PackedFloats(String name, DType dtype, int rows, int cols, WeightMemory memory) {
        this(name, dtype, rows, cols, memory, (long) cols * PANEL * dtype.bytes());
    }

    private PackedFloats(String name, DType dtype, int rows, int cols, WeightMemory memory, long panelBytes) {
        super(name, rows, cols, memory.allocate(panelBytes * ((rows + PANEL - 1) / PANEL)), panelBytes);
        this.dtype = dtype;
        this.elementBytes = dtype.bytes();
    }

    @Override
    public WeightFormat format() {
        return WeightFormat.of(dtype);
    }

    @Override
    void packPanel(RowMajorMatrix source, int panel) {
        int count = rowsIn(panel);
        int halves = elementBytes / 2;
        // Raw bits, moved as 16-bit halves (two per F32 value): a chunk of every row is staged,
        // then written out transposed, so reads and writes both stay sequential.
        int depth = Gemm.DEPTH;
        short[] staged = new short[PANEL * depth * halves];
        short[] transposed = new short[depth * PANEL * halves];
        for (int k0 = 0; k0 < cols; k0 += depth) {
            int n = Math.min(depth, cols - k0);
            for (int j = 0; j < count; j++) {
                long from = ((long) (panel * PANEL + j) * cols + k0) * elementBytes;
                MemorySegment.copy(source.data(), HALF, from, staged, j * n * halves, n * halves);
            }
            for (int j = 0; j < count; j++) {
                int to = slot(j) * halves;
                int from = j * n * halves;
                for (int k = 0; k < n; k++) {
                    transposed[to + k * PANEL * halves] = staged[from + k * halves];
                    if (halves == 2) {
                        transposed[to + k * PANEL * halves + 1] = staged[from + k * halves + 1];
                    }
                }
            }
            if (dtype == DType.F16 && finite) {
                for (int i = 0; i < count * n; i++) {
                    if (Float16.isSpecial(staged[i])) {
                        finite = false;
                        break;
                    }
                }
            }
            MemorySegment.copy(transposed, 0, data, HALF, panelOffset(panel) + (long) k0 * PANEL * elementBytes,
                    n * PANEL * halves);
        }
    }

    /** Where row {@code j} of a panel sits among the panel's values at one column. */
    private int slot(int j) {
        if (elementBytes == 4) {
            return j;
        }
        int pair = 2 * VectorMath.LANES;
        return j / pair * pair + Float16.pairPosition(j % pair);
    }

    @Override
    float element(int row, int col) {
        long at = panelOffset(row / PANEL) + ((long) col * PANEL + slot(row % PANEL)) * elementBytes;
        return switch (dtype) {
            case F32 -> data.get(SINGLE, at);
            case F16 -> Float16.toFloat(data.get(HALF, at));
            default -> Float16.bfloat16ToFloat(data.get(HALF, at));
        };
    }

    /**
     * One token (the decode step) with finite F16 weights decodes each panel column in registers
     * and multiplies it in place, without the round trip through the panel buffer; the other
     * cases take {@link Gemm}'s path. Both compute the same chain of FMAs, so the same bits.
     */
    @Override
    public void multiply(float[] x, int tokens, float[] y, int firstPanel, int endPanel) {
        if (tokens != 1 || dtype != DType.F16 || !finite) {
            super.multiply(x, tokens, y, firstPanel, endPanel);
            return;
        }
        float[] tile = TILE.get();
        for (int p = firstPanel; p < endPanel; p++) {
            FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
            long at = panelOffset(p);
            for (int k = 0; k < cols; k++, at += 2L * PANEL) {
                FloatVector b = FloatVector.broadcast(F, x[k]);
                // Rows 0..2L-1 and 2L..4L-1 of the column, as interleaved pairs (see Float16.decodeF16Pairs).
                IntVector p0 = IntVector.fromMemorySegment(Float16.INTS, data, at, ByteOrder.LITTLE_ENDIAN);
                IntVector p1 = IntVector.fromMemorySegment(Float16.INTS, data, at + 4L * LANES, ByteOrder.LITTLE_ENDIAN);
                IntVector v = p0.lanewise(VectorOperators.LSHL, 13).and(0x0fffe000).add(Float16.REBIAS);
                c0 = v.blend(v.reinterpretAsFloats().fma(2f, Float16.SUBNORMAL_OFFSET).reinterpretAsInts(),
                        v.compare(VectorOperators.LT, Float16.SMALLEST_NORMAL))
                        .or(p0.lanewise(VectorOperators.LSHL, 16).and(0x80000000)).reinterpretAsFloats().fma(b, c0);
                v = p0.lanewise(VectorOperators.LSHR, 3).and(0x0fffe000).add(Float16.REBIAS);
                c1 = v.blend(v.reinterpretAsFloats().fma(2f, Float16.SUBNORMAL_OFFSET).reinterpretAsInts(),
                        v.compare(VectorOperators.LT, Float16.SMALLEST_NORMAL))
                        .or(p0.and(0x80000000)).reinterpretAsFloats().fma(b, c1);
                v = p1.lanewise(VectorOperators.LSHL, 13).and(0x0fffe000).add(Float16.REBIAS);
                c2 = v.blend(v.reinterpretAsFloats().fma(2f, Float16.SUBNORMAL_OFFSET).reinterpretAsInts(),
                        v.compare(VectorOperators.LT, Float16.SMALLEST_NORMAL))
                        .or(p1.lanewise(VectorOperators.LSHL, 16).and(0x80000000)).reinterpretAsFloats().fma(b, c2);
                v = p1.lanewise(VectorOperators.LSHR, 3).and(0x0fffe000).add(Float16.REBIAS);
                c3 = v.blend(v.reinterpretAsFloats().fma(2f, Float16.SUBNORMAL_OFFSET).reinterpretAsInts(),
                        v.compare(VectorOperators.LT, Float16.SMALLEST_NORMAL))
                        .or(p1.and(0x80000000)).reinterpretAsFloats().fma(b, c3);
            }
            c0.intoArray(tile, 0);
            c1.intoArray(tile, LANES);
            c2.intoArray(tile, 2 * LANES);
            c3.intoArray(tile, 3 * LANES);
            storeRows(tile, p, y);
        }
    }

    @Override
    void decodePanel(int panel, int k0, int depth, float[] dst) {
        long base = panelOffset(panel) + (long) k0 * PANEL * elementBytes;
        int n = depth * PANEL;
        switch (dtype) {
            case F32 -> {
                for (int i = 0; i < n; i += LANES) {
                    FloatVector.fromMemorySegment(F, data, base + 4L * i, ByteOrder.LITTLE_ENDIAN).intoArray(dst, i);
                }
            }
            case F16 -> Float16.decodeF16Pairs(data, base, n, dst, 0, finite);
            default -> Float16.decodeBF16Pairs(data, base, n, dst, 0);
        }
    }
}
