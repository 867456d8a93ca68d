package phiscope.engine.tensor;

import static phiscope.engine.tensor.VectorMath.F;
import static phiscope.engine.tensor.VectorMath.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * F32, F16 or BF16 weights in panels, bit for bit the checkpoint's values; rows past the end are
 * zero. For a prompt, F16 panels without infinities or NaNs (real checkpoints) decode through the
 * hardware's conversion ({@link Float16#decodeFiniteF16}); the decode step widens them in
 * registers ({@link #multiply}).
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
                int to = j * halves;
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

    @Override
    float element(int row, int col) {
        long at = panelOffset(row / PANEL) + ((long) col * PANEL + row % PANEL) * elementBytes;
        return switch (dtype) {
            case F32 -> data.get(SINGLE, at);
            case F16 -> Float16.toFloat(data.get(HALF, at));
            default -> Float16.bfloat16ToFloat(data.get(HALF, at));
        };
    }

    /**
     * One token (the decode step): each column's weights are widened in registers as they stream
     * in and multiplied in place, in the column order of {@link Gemm}, so a token has the same
     * bits alone or in a prompt. Decoding a chunk into a buffer first and multiplying it then, as
     * a prompt does, leaves memory idle in between: on a Zen 5 that took 2.4 to 3.5 times as long
     * (JMH, F16 2560 x 10240, weights from memory).
     */
    @Override
    public void multiply(float[] x, int tokens, float[] y, int firstPanel, int endPanel) {
        if (tokens != 1 || dtype == DType.F16 && !finite) {
            super.multiply(x, tokens, y, firstPanel, endPanel);
            return;
        }
        float[] tile = TILE.get();
        for (int p = firstPanel; p < endPanel; p++) {
            switch (dtype) {
                case F16 -> f16PanelTimesVector(x, panelOffset(p), tile);
                case BF16 -> bf16PanelTimesVector(x, panelOffset(p), tile);
                default -> f32PanelTimesVector(x, panelOffset(p), tile);
            }
            storeRows(tile, p, y);
        }
    }

    /**
     * {@code tile = W x} over the F16 panel at {@code at}, each weight decoded as
     * {@link Float16#FINITE_SHIFT} explains, each run of {@link Gemm#DEPTH} columns summed from
     * zero and added in, as {@link Gemm} sums. The decode is written out: C2 does not always
     * inline a helper that returns a vector, and a vector it does not inline is boxed.
     */
    private void f16PanelTimesVector(float[] x, long at, float[] tile) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        for (int k0 = 0; k0 < cols; k0 += Gemm.DEPTH) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int k = k0, end = Math.min(cols, k0 + Gemm.DEPTH); k < end; k++, at += 2L * PANEL) {
                FloatVector b = FloatVector.broadcast(F, x[k]);
                IntVector h0 = ((IntVector) ShortVector.fromMemorySegment(Float16.SHORTS, data, at, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.S2I, VectorMath.INTS, 0)).lanewise(VectorOperators.LSHL, Float16.FINITE_SHIFT);
                IntVector h1 = ((IntVector) ShortVector.fromMemorySegment(Float16.SHORTS, data, at + 2L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.S2I, VectorMath.INTS, 0)).lanewise(VectorOperators.LSHL, Float16.FINITE_SHIFT);
                IntVector h2 = ((IntVector) ShortVector.fromMemorySegment(Float16.SHORTS, data, at + 4L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.S2I, VectorMath.INTS, 0)).lanewise(VectorOperators.LSHL, Float16.FINITE_SHIFT);
                IntVector h3 = ((IntVector) ShortVector.fromMemorySegment(Float16.SHORTS, data, at + 6L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.S2I, VectorMath.INTS, 0)).lanewise(VectorOperators.LSHL, Float16.FINITE_SHIFT);
                IntVector normal0 = h0.and(Float16.FINITE_MAGNITUDE).add(Float16.REBIAS);
                IntVector normal1 = h1.and(Float16.FINITE_MAGNITUDE).add(Float16.REBIAS);
                IntVector normal2 = h2.and(Float16.FINITE_MAGNITUDE).add(Float16.REBIAS);
                IntVector normal3 = h3.and(Float16.FINITE_MAGNITUDE).add(Float16.REBIAS);
                IntVector tiny0 = normal0.add(Float16.ONE_EXPONENT).reinterpretAsFloats().add(Float16.SUBNORMAL_OFFSET).reinterpretAsInts();
                IntVector tiny1 = normal1.add(Float16.ONE_EXPONENT).reinterpretAsFloats().add(Float16.SUBNORMAL_OFFSET).reinterpretAsInts();
                IntVector tiny2 = normal2.add(Float16.ONE_EXPONENT).reinterpretAsFloats().add(Float16.SUBNORMAL_OFFSET).reinterpretAsInts();
                IntVector tiny3 = normal3.add(Float16.ONE_EXPONENT).reinterpretAsFloats().add(Float16.SUBNORMAL_OFFSET).reinterpretAsInts();
                s0 = normal0.min(tiny0).or(h0.and(Float16.FINITE_SIGN)).reinterpretAsFloats().fma(b, s0);
                s1 = normal1.min(tiny1).or(h1.and(Float16.FINITE_SIGN)).reinterpretAsFloats().fma(b, s1);
                s2 = normal2.min(tiny2).or(h2.and(Float16.FINITE_SIGN)).reinterpretAsFloats().fma(b, s2);
                s3 = normal3.min(tiny3).or(h3.and(Float16.FINITE_SIGN)).reinterpretAsFloats().fma(b, s3);
            }
            c0 = c0.add(s0);
            c1 = c1.add(s1);
            c2 = c2.add(s2);
            c3 = c3.add(s3);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, LANES);
        c2.intoArray(tile, 2 * LANES);
        c3.intoArray(tile, 3 * LANES);
    }

    /** {@code tile = W x} over the BF16 panel at {@code at}, summed as {@link Gemm} sums: a bfloat16 is the upper half of its float32. */
    private void bf16PanelTimesVector(float[] x, long at, float[] tile) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        for (int k0 = 0; k0 < cols; k0 += Gemm.DEPTH) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int k = k0, end = Math.min(cols, k0 + Gemm.DEPTH); k < end; k++, at += 2L * PANEL) {
                FloatVector b = FloatVector.broadcast(F, x[k]);
                s0 = ((IntVector) ShortVector.fromMemorySegment(Float16.SHORTS, data, at, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.S2I, VectorMath.INTS, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats().fma(b, s0);
                s1 = ((IntVector) ShortVector.fromMemorySegment(Float16.SHORTS, data, at + 2L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.S2I, VectorMath.INTS, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats().fma(b, s1);
                s2 = ((IntVector) ShortVector.fromMemorySegment(Float16.SHORTS, data, at + 4L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.S2I, VectorMath.INTS, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats().fma(b, s2);
                s3 = ((IntVector) ShortVector.fromMemorySegment(Float16.SHORTS, data, at + 6L * LANES, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.S2I, VectorMath.INTS, 0)).lanewise(VectorOperators.LSHL, 16)
                        .reinterpretAsFloats().fma(b, s3);
            }
            c0 = c0.add(s0);
            c1 = c1.add(s1);
            c2 = c2.add(s2);
            c3 = c3.add(s3);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, LANES);
        c2.intoArray(tile, 2 * LANES);
        c3.intoArray(tile, 3 * LANES);
    }

    /** {@code tile = W x} over the F32 panel at {@code at}, summed as {@link Gemm} sums. */
    private void f32PanelTimesVector(float[] x, long at, float[] tile) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        for (int k0 = 0; k0 < cols; k0 += Gemm.DEPTH) {
            FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
            for (int k = k0, end = Math.min(cols, k0 + Gemm.DEPTH); k < end; k++, at += 4L * PANEL) {
                FloatVector b = FloatVector.broadcast(F, x[k]);
                s0 = FloatVector.fromMemorySegment(F, data, at, ByteOrder.LITTLE_ENDIAN).fma(b, s0);
                s1 = FloatVector.fromMemorySegment(F, data, at + 4L * LANES, ByteOrder.LITTLE_ENDIAN).fma(b, s1);
                s2 = FloatVector.fromMemorySegment(F, data, at + 8L * LANES, ByteOrder.LITTLE_ENDIAN).fma(b, s2);
                s3 = FloatVector.fromMemorySegment(F, data, at + 12L * LANES, ByteOrder.LITTLE_ENDIAN).fma(b, s3);
            }
            c0 = c0.add(s0);
            c1 = c1.add(s1);
            c2 = c2.add(s2);
            c3 = c3.add(s3);
        }
        c0.intoArray(tile, 0);
        c1.intoArray(tile, LANES);
        c2.intoArray(tile, 2 * LANES);
        c3.intoArray(tile, 3 * LANES);
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
            case F16 -> {
                if (finite) {
                    Float16.decodeFiniteF16(data, base, n, dst, 0);
                } else {
                    Float16.decodeF16(data, base, n, dst, 0);
                }
            }
            default -> Float16.decodeBF16(data, base, n, dst, 0);
        }
    }
}
