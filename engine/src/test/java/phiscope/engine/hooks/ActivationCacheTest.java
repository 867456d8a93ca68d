package phiscope.engine.hooks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.ByteSize;
import phiscope.engine.Fixtures;
import phiscope.engine.model.PhiConfig;
import phiscope.engine.model.PhiModel;
import phiscope.engine.tensor.Float16;

class ActivationCacheTest {

    private static PhiModel model;
    private static final int[] IDS = {3, 17, 250, 9, 4, 100, 77, 512};

    @BeforeAll
    static void load() {
        model = PhiModel.load(Fixtures.tiny("float32"), 1);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theBudgetIsCheckedBeforeRunningWithTheBytesNeeded() {
        PhiConfig c = model.config();
        List<HookSelector> selection = HookSelector.parseAll(List.of("blocks.*.attn.hook_pattern", "blocks.*.hook_resid_post[pos=-1]"));
        // 3 blocks x 4 heads x 8 x 8 pattern floats + 3 x 80 resid floats.
        assertEquals((3 * 4 * 64 + 3 * 80) * 4L, ActivationCache.bytesNeeded(selection, c, ActivationCache.Precision.F32, 8));
        assertEquals((3 * 4 * 64 + 3 * 80) * 2L * 2, ActivationCache.bytesNeeded(selection, c, ActivationCache.Precision.F16, 8, 8));
        try (ActivationCache small = ActivationCache.withBudget(1000, ActivationCache.Precision.F32)) {
            CacheBudgetException e = assertThrows(CacheBudgetException.class, () -> small.requireFits(selection, c, 8));
            assertTrue(e.getMessage().startsWith("the selection needs 3.9 KB in F32"), e.getMessage());
            assertTrue(e.getMessage().contains("blocks.*.attn.hook_pattern: 3.0 KB"), e.getMessage());
            // The fallback: a firing that would overflow is refused as it happens.
            Hooks hooks = model.newHooks();
            small.record(hooks, selection, "");
            assertThrows(CacheBudgetException.class, () -> model.forward(IDS, hooks, PhiModel.Logits.NONE));
        }
        assertThrows(IllegalArgumentException.class, () -> ActivationCache.bytesNeeded(
                HookSelector.parseAll(List.of("blocks.0.hook_resid_post[pos=8]")), c, ActivationCache.Precision.F32, 8));
        assertEquals(512L << 20, ByteSize.parse("512MB"));
        assertEquals(3L << 29, ByteSize.parse("1.5g"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("lots"));
    }

    @Test
    void float16StorageHalvesTheBytesAndRoundsLikeFloat16() {
        Hooks hooks = model.newHooks();
        ActivationCache exact = ActivationCache.capture(hooks, "blocks.2.hook_resid_post");
        try (ActivationCache halves = ActivationCache.withBudget(1 << 20, ActivationCache.Precision.F16)) {
            halves.record(hooks, HookSelector.parseAll(List.of("blocks.2.hook_resid_post")), "");
            model.forward(IDS, hooks, PhiModel.Logits.NONE);
            assertEquals(8 * 80 * 2, halves.usedBytes());
            float[] full = exact.get("blocks.2.hook_resid_post").data();
            float[] half = halves.get("blocks.2.hook_resid_post").data();
            for (int i = 0; i < full.length; i++) {
                assertEquals(Float16.toFloat(Float16.fromFloat(full[i])), half[i]);
            }
        }
    }

    @Test
    void replacingAndClosingFreeMemory() {
        ActivationCache cache = ActivationCache.withBudget(100, ActivationCache.Precision.F32);
        cache.put("a", new int[] {2, 10}, new float[20], 0);
        assertEquals(80, cache.usedBytes());
        cache.put("a", new int[] {5}, new float[] {1, 2, 3, 4, 5}, 0);
        assertEquals(20, cache.usedBytes(), "the replaced tensor no longer counts");
        cache.put("b", new int[] {20}, new float[20], 0);
        assertThrows(CacheBudgetException.class, () -> cache.put("c", new int[] {1}, new float[1], 0));
        cache.close();
        assertEquals(0, cache.usedBytes());
        assertThrows(IllegalStateException.class, () -> cache.get("a"));
        assertFalse(cache.contains("a"));
    }

    @Test
    void savedCachesLoadBackAndReadInPython(@TempDir Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve("cache.safetensors");
        try (ActivationCache cache = ActivationCache.withBudget(1 << 20, ActivationCache.Precision.F32);
             ActivationCache halves = ActivationCache.withBudget(1 << 20, ActivationCache.Precision.F16)) {
            cache.put("blocks.0.hook_resid_post", new int[] {2, 3}, new float[] {1, -2, 3.5f, Float.NEGATIVE_INFINITY, 0, 1e-3f}, 0);
            cache.put("s1.blocks.1.attn.hook_pattern", new int[] {1, 1, 2}, new float[] {0.25f, 0.75f}, 0);
            cache.save(file, Map.of("prompt", "def f():"));
            try (ActivationCache loaded = ActivationCache.load(file, 1 << 20)) {
                assertEquals(List.copyOf(cache.names()), List.copyOf(loaded.names()));
                assertArrayEquals(cache.get("blocks.0.hook_resid_post").data(), loaded.get("blocks.0.hook_resid_post").data());
                assertArrayEquals(new int[] {1, 1, 2}, loaded.shape("s1.blocks.1.attn.hook_pattern"));
            }
            halves.put("blocks.3.mlp.hook_post", new int[] {2}, new float[] {0.1f, 65504f}, 0);
            halves.save(dir.resolve("halves.safetensors"), Map.of());
        }
        assertThrows(CacheBudgetException.class, () -> ActivationCache.load(file, 10));
        assumeTrue(hasNumpy(), "python3 with numpy is not installed");
        // safetensors.numpy.load_file, step by step: the header rules its Rust core enforces, then frombuffer.
        String script = """
                import json, struct, sys
                import numpy as np
                def load_file(path):
                    raw = open(path, 'rb').read()
                    (n,) = struct.unpack('<Q', raw[:8])
                    header = json.loads(raw[8:8 + n])
                    assert (8 + n) % 8 == 0, 'data must start 8-aligned'
                    meta = header.pop('__metadata__', {})
                    assert all(isinstance(v, str) for v in meta.values())
                    data = raw[8 + n:]
                    end = 0
                    out = {}
                    for name, info in sorted(header.items(), key=lambda kv: kv[1]['data_offsets'][0]):
                        start, stop = info['data_offsets']
                        assert start == end, 'tensors must be contiguous'
                        end = stop
                        dtype = {'F32': '<f4', 'F16': '<f2'}[info['dtype']]
                        out[name] = np.frombuffer(data[start:stop], dtype=dtype).reshape(info['shape'])
                    assert end == len(data), 'no trailing bytes'
                    return out, meta
                t, meta = load_file(sys.argv[1])
                assert meta == {'prompt': 'def f():'}, meta
                r = t['blocks.0.hook_resid_post']
                assert r.shape == (2, 3) and r[0, 2] == 3.5 and np.isneginf(r[1, 0]) and r[1, 2] == np.float32(1e-3)
                assert t['s1.blocks.1.attn.hook_pattern'].tolist() == [[[0.25, 0.75]]]
                h, _ = load_file(sys.argv[2])
                assert h['blocks.3.mlp.hook_post'].dtype == np.float16 and h['blocks.3.mlp.hook_post'][1] == 65504
                print('ok')
                """;
        Path py = dir.resolve("read.py");
        Files.writeString(py, script);
        Process p = new ProcessBuilder("python3", py.toString(), file.toString(), dir.resolve("halves.safetensors").toString())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("ok", output.strip(), output);
    }

    static boolean hasNumpy() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
