package phiscope.engine.hooks;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import phiscope.engine.ByteSize;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.io.SafeTensorsFile;
import phiscope.engine.io.SafeTensorsWriter;
import phiscope.engine.io.Tensor;
import phiscope.engine.model.PhiConfig;
import phiscope.engine.tensor.DType;
import phiscope.engine.tensor.Float16;

/**
 * Copies of activations, kept off the Java heap in float32 or float16 within a byte budget.
 * Each key holds the last activation stored under it. A cache made by {@link #withBudget} or
 * {@link #load} frees its memory when closed; one made by {@link #capture} is freed by the
 * garbage collector. Tensors save as safetensors named by their keys (the hook names), which
 * Python's {@code safetensors.numpy.load_file} reads as they are.
 */
public final class ActivationCache implements AutoCloseable {

    /** How values are stored: float32, or float16 at half the memory (about 3 significant digits). */
    public enum Precision {
        F32(4, DType.F32), F16(2, DType.F16);

        private final int bytes;
        private final DType dtype;

        Precision(int bytes, DType dtype) {
            this.bytes = bytes;
            this.dtype = dtype;
        }

        public int bytes() {
            return bytes;
        }

        public static Precision parse(String text) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "f32", "float32" -> F32;
                case "f16", "float16" -> F16;
                default -> throw new IllegalArgumentException("unknown precision '" + text + "'; choose f32 or f16");
            };
        }
    }

    /** One captured activation, widened to float32 on the heap, row-major in {@code shape}. */
    public record Entry(int[] shape, float[] data) {

        /** The element at {@code index} (one index per dimension): {@code get(t, h, i)} of a {@code [T, H, d]} activation. */
        public float get(int... index) {
            return data[flat(index, shape.length)];
        }

        /** Row {@code t} of the first dimension, as a copy: a token's {@code [D]} vector of a {@code [T, D]} activation. */
        public float[] row(int t) {
            int start = flat(new int[] {t}, 1);
            return Arrays.copyOfRange(data, start, start + data.length / shape[0]);
        }

        private int flat(int[] index, int dimensions) {
            if (index.length != dimensions) {
                throw new IllegalArgumentException(index.length + " indices for a tensor of shape " + Arrays.toString(shape)
                        + "; give " + dimensions);
            }
            int flat = 0;
            for (int i = 0; i < index.length; i++) {
                if (index[i] < 0 || index[i] >= shape[i]) {
                    throw new IndexOutOfBoundsException("index " + index[i] + " of dimension " + i + " is outside 0.."
                            + (shape[i] - 1) + " of shape " + Arrays.toString(shape));
                }
                flat = flat * shape[i] + index[i];
            }
            int rest = 1;
            for (int i = index.length; i < shape.length; i++) {
                rest *= shape[i];
            }
            return flat * rest;
        }
    }

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** A stored tensor: its own arena, so replacing or dropping it frees its memory at once. */
    private record Stored(int[] shape, Precision precision, MemorySegment data, Arena arena) {
    }

    private final Map<String, Stored> entries = new LinkedHashMap<>();
    private final Precision precision;
    private final long budgetBytes;
    private final boolean freedOnClose;
    private long usedBytes;
    private boolean closed;

    private ActivationCache(Precision precision, long budgetBytes, boolean freedOnClose) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("a cache budget must be positive, not " + budgetBytes + " bytes");
        }
        this.precision = precision;
        this.budgetBytes = budgetBytes;
        this.freedOnClose = freedOnClose;
    }

    /** An unbounded float32 cache of every hook point matching one of {@code patterns}, whole. */
    public static ActivationCache capture(Hooks hooks, String... patterns) {
        ActivationCache cache = new ActivationCache(Precision.F32, Long.MAX_VALUE, false);
        for (String pattern : patterns) {
            for (HookPoint point : HookPoint.matching(pattern, hooks.config())) {
                hooks.observe(point, a -> cache.put(a.name(), a.shape(), a.data(), a.offset()));
            }
        }
        return cache;
    }

    /** An unbounded float32 cache of what {@code selectors} pick, keyed by hook name, freed by the garbage collector. */
    public static ActivationCache capture(Hooks hooks, List<HookSelector> selectors) {
        return new ActivationCache(Precision.F32, Long.MAX_VALUE, false).record(hooks, selectors, "");
    }

    /** An empty cache that holds at most {@code budgetBytes}; close it to free its memory. */
    public static ActivationCache withBudget(long budgetBytes, Precision precision) {
        return new ActivationCache(precision, budgetBytes, true);
    }

    /**
     * Bytes that {@code selectors} keep for prompts of these lengths, each run in one pass; an
     * unknown name, layer, head or an out-of-range position is an error here, before any running.
     */
    public static long bytesNeeded(List<HookSelector> selectors, PhiConfig config, Precision precision, int... promptLengths) {
        return bytesNeeded(selectors, new Hooks(config), precision, promptLengths);
    }

    /** {@link #bytesNeeded(List, PhiConfig, Precision, int...)} where the selectors may also name points spliced into {@code hooks}. */
    public static long bytesNeeded(List<HookSelector> selectors, Hooks hooks, Precision precision, int... promptLengths) {
        PhiConfig config = hooks.config();
        long bytes = 0;
        for (int tokens : promptLengths) {
            for (HookSelector selector : selectors) {
                List<String> spliced = selector.splicedNames(hooks);
                if (spliced.isEmpty()) {
                    for (HookPoint point : selector.points(config)) {
                        bytes = Math.addExact(bytes, Math.multiplyExact(selector.elements(point, config, tokens), precision.bytes()));
                    }
                }
                for (SplicedPoints points : hooks.spliced()) {
                    for (String name : points.pointNames()) {
                        if (spliced.contains(name)) {
                            long elements = Arrays.stream(selector.selectedShape(points, name, tokens)).asLongStream().reduce(1, Math::multiplyExact);
                            bytes = Math.addExact(bytes, Math.multiplyExact(elements, precision.bytes()));
                        }
                    }
                }
            }
        }
        return bytes;
    }

    /** Fails with {@link CacheBudgetException}, before anything runs, when the selection cannot fit. */
    public void requireFits(List<HookSelector> selectors, PhiConfig config, int... promptLengths) {
        requireFits(selectors, new Hooks(config), promptLengths);
    }

    /** {@link #requireFits(List, PhiConfig, int...)} where the selectors may also name points spliced into {@code hooks}. */
    public void requireFits(List<HookSelector> selectors, Hooks hooks, int... promptLengths) {
        long needed = bytesNeeded(selectors, hooks, precision, promptLengths);
        if (usedBytes + needed > budgetBytes) {
            List<String> parts = new ArrayList<>();
            for (HookSelector selector : selectors) {
                long one = bytesNeeded(List.of(selector), hooks, precision, promptLengths);
                parts.add(selector.text() + ": " + ByteSize.format(one));
            }
            throw new CacheBudgetException("the selection needs " + ByteSize.format(needed) + " in " + precision
                    + " for " + promptLengths.length + " prompt(s) of " + Arrays.stream(promptLengths).max().orElse(0)
                    + " tokens at most (" + String.join(", ", parts) + "), but the cache budget is " + ByteSize.format(budgetBytes)
                    + (usedBytes > 0 ? " with " + ByteSize.format(usedBytes) + " already used" : "")
                    + "; narrow it with a layer slice, [head=..] or [pos=..], store f16, or raise the budget");
        }
    }

    /**
     * Registers observers that store what {@code selectors} pick, under {@code keyPrefix + hook name}
     * (a prefix such as {@code s0.} keeps the prompts of a batch apart).
     */
    public ActivationCache record(Hooks hooks, List<HookSelector> selectors, String keyPrefix) {
        for (HookSelector selector : selectors) {
            Hook keep = a -> put(keyPrefix + a.name(), selector.selectedShape(a), selector.extract(a), 0);
            List<String> spliced = selector.splicedNames(hooks);
            if (spliced.isEmpty()) {
                for (HookPoint point : selector.points(hooks.config())) {
                    hooks.observe(point, keep);
                }
            }
            for (SplicedPoints points : hooks.spliced()) {
                for (String name : points.pointNames()) {
                    if (spliced.contains(name)) {
                        points.observe(name, keep);
                    }
                }
            }
        }
        return this;
    }

    /** Stores {@code values[offset ..]} of the given shape under {@code key}, replacing what was there. */
    public synchronized void put(String key, int[] shape, float[] values, int offset) {
        if (closed) {
            throw new IllegalStateException("the activation cache is closed");
        }
        long count = 1;
        for (int d : shape) {
            count *= d;
        }
        long bytes = count * precision.bytes();
        Stored previous = entries.get(key);
        long freed = previous == null ? 0 : previous.data().byteSize();
        if (usedBytes - freed + bytes > budgetBytes) {
            throw new CacheBudgetException("storing " + key + " " + Arrays.toString(shape) + " (" + ByteSize.format(bytes)
                    + ") would exceed the cache budget of " + ByteSize.format(budgetBytes) + " (" + ByteSize.format(usedBytes) + " used)");
        }
        Arena arena = freedOnClose ? Arena.ofShared() : Arena.ofAuto();
        MemorySegment data = arena.allocate(Math.max(1, bytes), 8).asSlice(0, bytes);
        for (int i = 0; i < count; i++) {
            float v = values[offset + i];
            if (precision == Precision.F32) {
                data.setAtIndex(F32, i, v);
            } else {
                data.setAtIndex(I16, i, Float16.fromFloat(v));
            }
        }
        drop(key);
        entries.put(key, new Stored(shape.clone(), precision, data, arena));
        usedBytes += bytes;
    }

    private void drop(String key) {
        Stored stored = entries.remove(key);
        if (stored != null) {
            usedBytes -= stored.data().byteSize();
            if (freedOnClose) {
                stored.arena().close();
            }
        }
    }

    public synchronized Set<String> names() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(entries.keySet()));
    }

    public synchronized boolean contains(String name) {
        return entries.containsKey(name);
    }

    public synchronized int[] shape(String name) {
        return stored(name).shape().clone();
    }

    /** The activation stored under {@code name}, as float32 on the heap. */
    public synchronized Entry get(String name) {
        Stored stored = stored(name);
        float[] out = new float[Math.toIntExact(stored.data().byteSize() / stored.precision().bytes())];
        for (int i = 0; i < out.length; i++) {
            out[i] = stored.precision() == Precision.F32 ? stored.data().getAtIndex(F32, i)
                    : Float16.toFloat(stored.data().getAtIndex(I16, i));
        }
        return new Entry(stored.shape().clone(), out);
    }

    private Stored stored(String name) {
        if (closed) {
            throw new IllegalStateException("the activation cache is closed");
        }
        Stored stored = entries.get(name);
        if (stored == null) {
            throw new IllegalArgumentException("no activation captured for '" + name + "'; captured: " + entries.keySet());
        }
        return stored;
    }

    public Precision precision() {
        return precision;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    public synchronized long usedBytes() {
        return usedBytes;
    }

    /** Writes every tensor, named by its key, in its stored dtype; {@code metadata} goes to {@code __metadata__}. */
    public synchronized void save(Path file, Map<String, String> metadata) {
        List<SafeTensorsWriter.Entry> tensors = new ArrayList<>();
        entries.forEach((name, stored) -> tensors.add(new SafeTensorsWriter.Entry(name, stored.precision().dtype,
                stored.shape(), segment -> MemorySegment.copy(stored.data(), 0, segment, 0, stored.data().byteSize()))));
        SafeTensorsWriter.write(file, metadata, tensors);
    }

    /** Reads a saved cache (F32 and F16 tensors) into off-heap memory; close it to free that memory. */
    public static ActivationCache load(Path file, long budgetBytes) {
        try (Arena mapping = Arena.ofConfined()) {
            SafeTensorsFile safetensors = SafeTensorsFile.open(file, mapping);
            boolean allHalves = !safetensors.entries().isEmpty()
                    && safetensors.entries().values().stream().allMatch(e -> e.dtype() == DType.F16);
            ActivationCache cache = withBudget(budgetBytes, allHalves ? Precision.F16 : Precision.F32);
            try {
                for (String name : safetensors.entries().keySet()) {
                    Tensor tensor = safetensors.tensor(name);
                    Precision stored = switch (tensor.dtype()) {
                        case F32 -> Precision.F32;
                        case F16 -> Precision.F16;
                        default -> throw new ModelFormatException(file, "tensor '" + name + "' is " + tensor.dtype()
                                + "; an activation cache holds F32 or F16 tensors");
                    };
                    long bytes = tensor.data().byteSize();
                    if (cache.usedBytes + bytes > budgetBytes) {
                        throw new CacheBudgetException(file + " needs more than the cache budget of " + ByteSize.format(budgetBytes));
                    }
                    Arena arena = Arena.ofShared();
                    MemorySegment data = arena.allocate(Math.max(1, bytes), 8).asSlice(0, bytes);
                    MemorySegment.copy(tensor.data(), 0, data, 0, bytes);
                    cache.entries.put(name, new Stored(tensor.shape().clone(), stored, data, arena));
                    cache.usedBytes += bytes;
                }
                return cache;
            } catch (RuntimeException e) {
                cache.close();
                throw e;
            }
        }
    }

    /** Frees every stored tensor now (for caches from {@link #withBudget} and {@link #load}). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (String key : new ArrayList<>(entries.keySet())) {
            drop(key);
        }
        closed = true;
    }
}
