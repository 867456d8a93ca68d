/**
 * Weights and the kernels that multiply by them, on the Vector API.
 *
 * <h2>Classes</h2>
 * <pre>
 * WeightMatrix                 a [rows, cols] matrix off the heap, seen one panel of PANEL rows at a time
 * ├── RowMajorMatrix           the checkpoint's own layout, a zero-copy slice of the mapped file
 * └── PackedMatrix             copied into WeightMemory panel by panel, k-major
 *     ├── PackedFloats         F32, F16, BF16: the checkpoint's bits
 *     └── BlockQuantizedMatrix llama.cpp's block formats, made at load time (Quantization)
 *         ├── Q8Matrix
 *         └── Q4Matrix
 * Linear, LayerNorm            torch.nn.Linear and torch.nn.LayerNorm over them
 * Gemm                         y = x W^T over decoded panels in a register tile
 * Q4Gemm                       the same for Q4_0 weights and Q8_0 activations, in 16-bit integers
 * AttentionKernels             scores and value sums over the KV cache's layout
 * Ops, VectorMath, Float16     row-wise operations, elementwise math, half-float decoding
 * WorkerPool, ThreadScratch    the threads every kernel splits its range over, and their buffers
 * </pre>
 *
 * <h2>Two paths</h2>
 * A <em>prompt</em> (many token rows) is arithmetic-bound: {@link phiscope.engine.tensor.Gemm}
 * decodes each panel of weights once into a float32 buffer in the L1 cache and runs every token
 * over it. A <em>decode step</em> (one token) is bandwidth-bound: each format's
 * {@code multiply} streams its panels and widens the weights in registers as they arrive, so
 * memory is never idle while a buffer is filled.
 *
 * <h2>The same bits</h2>
 * A row's result does not depend on what else runs with it: alone, in a prompt, packed with
 * other texts, in a decode step or on another thread, every output is the same chain of fused
 * multiply-adds in the same order (Gemm and AttentionKernels say how; Q4_0's block sums are exact
 * integers, scaled by one), and the elementwise math
 * avoids operations whose results change with the JIT ({@link phiscope.engine.tensor.VectorMath}).
 * Tests pin this bit for bit; it is what lets audits pack texts and cache prefixes without
 * changing a number.
 *
 * <h2>Why by hand</h2>
 * The kernels are written out, with their vectors in local variables, because C2 does not always
 * inline a helper that takes or returns a vector, and a vector it does not inline is boxed on the
 * heap, slower than scalar code; and because no library keeps F16 weights in their dtype while
 * giving these bit-for-bit guarantees on the JDK's Vector API.
 */
package phiscope.engine.tensor;
