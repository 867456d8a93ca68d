package phiscope.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.Fixtures;
import phiscope.engine.io.Checkpoint;
import phiscope.engine.io.GgufFileReader;
import phiscope.engine.io.GgufFileReader.TensorInfo;
import phiscope.engine.io.GgufFileReader.Value;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.io.SafeTensorsWriter;
import phiscope.engine.io.Tensor;
import phiscope.engine.tensor.DType;
import phiscope.engine.tensor.Float16;
import phiscope.engine.tokenizer.TokenizerDefinition;

/**
 * {@code phiscope export}'s GGUF, read back with an independent reader: the header, every key's
 * type and value, every tensor's name, dimensions, type, alignment and bytes against the source
 * safetensors, converted as llama.cpp's phi2 expects.
 */
class GgufExportTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ValueLayout.OfShort LITTLE_ENDIAN_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static GgufFileReader nanophi;
    private static Path nanophiFile;

    @BeforeAll
    static void exportNanophi() throws IOException {
        nanophiFile = shared.resolve("nanophi-py.gguf");
        GgufExport.export(Fixtures.NANOPHI, nanophiFile);
        nanophi = GgufFileReader.read(nanophiFile);
    }

    @Test
    void headerAndEveryKeyAreWhatLlamaCppReadsForPhi2() throws IOException {
        JsonNode config = JSON.readTree(Fixtures.NANOPHI.resolve("config.json").toFile());
        assertEquals(3, nanophi.version());
        assertEquals(1 + 4 * 14 + 2 + 2, nanophi.tensors().size());
        int hidden = config.get("hidden_size").intValue();
        int heads = config.get("num_attention_heads").intValue();
        Map<String, Value> expected = new LinkedHashMap<>();
        expected.put("general.architecture", string("phi2"));
        expected.put("general.name", string("nanophi-py"));
        expected.put("general.file_type", uint32(1));
        expected.put("phi2.context_length", uint32(config.get("max_position_embeddings").intValue()));
        expected.put("phi2.embedding_length", uint32(hidden));
        expected.put("phi2.feed_forward_length", uint32(config.get("intermediate_size").intValue()));
        expected.put("phi2.block_count", uint32(config.get("num_hidden_layers").intValue()));
        expected.put("phi2.attention.head_count", uint32(heads));
        expected.put("phi2.attention.head_count_kv", uint32(config.get("num_key_value_heads").intValue()));
        expected.put("phi2.attention.layer_norm_epsilon", float32((float) config.get("layer_norm_eps").doubleValue()));
        // head_dim 32 x partial_rotary_factor 0.4 = 12.8: transformers rotates the first 12 dimensions.
        expected.put("phi2.rope.dimension_count", uint32(12));
        expected.put("phi2.rope.freq_base", float32((float) config.get("rope_theta").doubleValue()));
        expected.put("tokenizer.ggml.model", string("gpt2"));
        expected.put("tokenizer.ggml.pre", string("phi-2"));
        expected.put("tokenizer.ggml.bos_token_id", uint32(50256));
        expected.put("tokenizer.ggml.eos_token_id", uint32(50256));
        expected.put("tokenizer.ggml.add_bos_token", new Value(GgufFileReader.BOOL, -1, false));
        for (var e : expected.entrySet()) {
            assertEquals(e.getValue(), nanophi.keys().get(e.getKey()), e.getKey());
        }
        List<String> arrays = List.of("tokenizer.ggml.tokens", "tokenizer.ggml.token_type", "tokenizer.ggml.merges");
        List<String> all = new ArrayList<>(expected.keySet());
        all.addAll(arrays);
        assertEquals(all.stream().sorted().toList(), nanophi.keys().keySet().stream().sorted().toList(), "exactly these keys");
        assertEquals(GgufFileReader.STRING, nanophi.keys().get("tokenizer.ggml.tokens").elementType());
        assertEquals(GgufFileReader.INT32, nanophi.keys().get("tokenizer.ggml.token_type").elementType());
        assertEquals(GgufFileReader.STRING, nanophi.keys().get("tokenizer.ggml.merges").elementType());
    }

    @Test
    void tokensAreTheTokenizersThenPaddingUpToTheEmbeddingRows() throws IOException {
        JsonNode tokenizer = JSON.readTree(Fixtures.NANOPHI.resolve("tokenizer.json").toFile());
        List<?> tokens = (List<?>) nanophi.keys().get("tokenizer.ggml.tokens").value();
        List<?> types = (List<?>) nanophi.keys().get("tokenizer.ggml.token_type").value();
        assertEquals(51200, tokens.size(), "one token per embedding row");
        assertEquals(51200, types.size());
        String[] expectedTokens = new String[51200];
        int[] expectedTypes = new int[51200];
        tokenizer.get("model").get("vocab").properties().forEach(e -> {
            expectedTokens[e.getValue().intValue()] = e.getKey();
            expectedTypes[e.getValue().intValue()] = 1;
        });
        for (JsonNode added : tokenizer.get("added_tokens")) {
            expectedTokens[added.get("id").intValue()] = added.get("content").textValue();
            expectedTypes[added.get("id").intValue()] = added.get("special").booleanValue() ? 3 : 4;
        }
        for (int id = 0; id < 51200; id++) {
            if (expectedTokens[id] == null) {
                expectedTokens[id] = "[PAD" + id + "]";
                expectedTypes[id] = 5;
            }
            assertEquals(expectedTokens[id], tokens.get(id), "token " + id);
            assertEquals(expectedTypes[id], types.get(id), "type of token " + id);
        }
        // The facts the list must show, whatever the tokenizer file says.
        assertEquals("Ġworld", tokens.get(995));
        assertEquals(1, types.get(995), "NORMAL");
        assertEquals("<|endoftext|>", tokens.get(50256));
        assertEquals(3, types.get(50256), "CONTROL");
        assertEquals(" ".repeat(31), tokens.get(50257));
        assertEquals(4, types.get(50257), "USER_DEFINED");
        assertEquals("\t\t", tokens.get(50294));
        assertEquals("[PAD50295]", tokens.get(50295));
        assertEquals(5, types.get(50295), "UNUSED");
        assertEquals("[PAD51199]", tokens.get(51199));
        assertEquals(5, types.get(51199));

        List<?> merges = (List<?>) nanophi.keys().get("tokenizer.ggml.merges").value();
        JsonNode expectedMerges = tokenizer.get("model").get("merges");
        assertEquals(expectedMerges.size(), merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            JsonNode m = expectedMerges.get(rank);
            String pair = m.isArray() ? m.get(0).textValue() + " " + m.get(1).textValue() : m.textValue();
            assertEquals(pair, merges.get(rank), "merge " + rank);
        }
        assertEquals("Ġ t", merges.getFirst());
    }

    @Test
    void everyTensorHasLlamaCppsNameDimsTypeAlignmentAndTheSourceBytes() throws IOException {
        long size = Files.size(nanophiFile);
        long padded = 0;
        for (TensorInfo t : nanophi.tensors()) {
            assertEquals(0, t.offset() % 32, t.name() + " offset aligned");
            padded = t.offset() + (t.byteSize() + 31) / 32 * 32;
        }
        assertEquals(0, nanophi.dataStart() % 32, "data section aligned");
        assertEquals(nanophi.dataStart() + padded, size, "the last tensor is padded too; nothing else follows");

        try (Checkpoint source = Checkpoint.open(Fixtures.NANOPHI)) {
            Map<String, String> names = expectedNames(4, true);
            assertEquals(List.copyOf(names.keySet()), nanophi.tensors().stream().map(TensorInfo::name).toList(),
                    "names, in order");
            for (var e : names.entrySet()) {
                TensorInfo t = nanophi.tensor(e.getKey());
                Tensor s = source.tensor(e.getValue());
                assertEquals(DType.F16, s.dtype());
                assertArrayEquals(reversed(s.shape()), t.dims(), e.getKey() + ": ne[0] is the innermost dimension");
                boolean matrix = s.shape().length == 2;
                assertEquals(matrix ? GgufFileReader.GGML_F16 : GgufFileReader.GGML_F32, t.type(), e.getKey() + " type");
                byte[] bytes = nanophi.bytes(t);
                if (matrix) {
                    assertArrayEquals(s.data().toArray(ValueLayout.JAVA_BYTE), bytes, e.getKey() + ": F16 copied bit for bit");
                } else {
                    assertFloats(widenedHalves(s), bytes, e.getKey());
                }
            }
        }
        // Tied: llama.cpp's phi2 needs output.weight, so it repeats the embedding.
        assertArrayEquals(nanophi.bytes(nanophi.tensor("token_embd.weight")), nanophi.bytes(nanophi.tensor("output.weight")));
    }

    @Test
    void float32MatricesAreRoundedToNearestEvenAndVectorsCopied() throws IOException {
        Path model = derive(dir.resolve("nano-f32"), DType.F32, false, (name, i, x) -> {
            float value = x * (1 + (float) ((hash(name, i) % 2001) - 1000) * 0x1p-18f);  // off the float16 grid
            return name.contains("mlp.fc2.weight") ? value * 0x1p-13f : value;          // into float16's subnormals
        });
        Path out = dir.resolve("f32.gguf");
        GgufExport.export(model, out);
        GgufFileReader gguf = GgufFileReader.read(out);
        assertEquals(1 + 4 * 14 + 2 + 2, gguf.tensors().size());
        long rounded = 0;
        try (Checkpoint source = Checkpoint.open(model)) {
            for (var e : expectedNames(4, false).entrySet()) {
                Tensor s = source.tensor(e.getValue());
                byte[] bytes = gguf.bytes(gguf.tensor(e.getKey()));
                if (s.shape().length == 2) {
                    short[] halves = shorts(bytes);
                    for (int i = 0; i < halves.length; i++) {
                        float x = s.getFloat(i);
                        assertEquals(nearestHalf(x), halves[i], e.getKey() + "[" + i + "] = " + x);
                        rounded += Float.float16ToFloat(halves[i]) != x ? 1 : 0;
                    }
                } else {
                    assertArrayEquals(s.data().toArray(ValueLayout.JAVA_BYTE), bytes, e.getKey() + ": F32 copied");
                }
            }
        }
        assertTrue(rounded > 1_000_000, "the test's values needed rounding: " + rounded);
        assertFalse(Arrays.equals(gguf.bytes(gguf.tensor("token_embd.weight")), gguf.bytes(gguf.tensor("output.weight"))),
                "untied: output.weight is lm_head.weight");

        // Ties and edges, each worked out by hand from IEEE 754 binary16.
        short[] q = shorts(gguf.bytes(gguf.tensor("blk.0.attn_q.weight")));
        short[] expected = {0x3c00, 0x3c02, 0x3c01, (short) 0xbc00, 0x0000, 0x0002, 0x0000, 0x7bff, 0x7bff, (short) 0x8000, 0x0001};
        for (int i = 0; i < TIES.length; i++) {
            assertEquals(expected[i], q[i], "tie case " + i + ": " + TIES[i]);
        }
    }

    @Test
    void bfloat16MatricesAreRoundedToNearestEvenAndVectorsWidened() throws IOException {
        Path model = derive(dir.resolve("nano-bf16"), DType.BF16, true,
                (name, i, x) -> name.contains("self_attn.v_proj.weight") ? x * 0x1p-14f : x);
        Path out = dir.resolve("bf16.gguf");
        GgufExport.export(model, out);
        GgufFileReader gguf = GgufFileReader.read(out);
        long rounded = 0;
        try (Checkpoint source = Checkpoint.open(model)) {
            for (var e : expectedNames(4, true).entrySet()) {
                Tensor s = source.tensor(e.getValue());
                assertEquals(DType.BF16, s.dtype());
                byte[] bytes = gguf.bytes(gguf.tensor(e.getKey()));
                if (s.shape().length == 2) {
                    short[] halves = shorts(bytes);
                    for (int i = 0; i < halves.length; i++) {
                        float x = s.getFloat(i);
                        assertEquals(nearestHalf(x), halves[i], e.getKey() + "[" + i + "] = " + x);
                        rounded += Float.float16ToFloat(halves[i]) != x ? 1 : 0;
                    }
                } else {
                    float[] widened = new float[(int) s.elementCount()];
                    for (int i = 0; i < widened.length; i++) {
                        widened[i] = Float.intBitsToFloat(s.data().get(LITTLE_ENDIAN_SHORT, 2L * i) << 16);
                    }
                    assertFloats(widened, bytes, e.getKey());
                }
            }
        }
        assertTrue(rounded > 10_000, "bfloat16 values in float16's subnormal range round: " + rounded);
    }

    @Test
    void aValueBeyondFloat16sRangeFailsAndLeavesTheTargetAsItWas() throws IOException {
        Path model = derive(dir.resolve("too-large"), DType.F32, false,
                (name, i, x) -> name.equals("lm_head.weight") && i == 1234 ? 70000f : x);
        Path out = dir.resolve("existing.gguf");
        Files.writeString(out, "an older export");
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufExport.export(model, out));
        assertTrue(e.getMessage().contains("'lm_head.weight' holds 70000.0 at flat index 1234, beyond float16's range"),
                e.getMessage());
        assertEquals("an older export", Files.readString(out), "the target is untouched");
        assertEquals(List.of("existing.gguf", "too-large"), listing(dir), "no partial file is left behind");
    }

    @Test
    void aMissingModelDirectoryIsNamed() {
        Path missing = dir.resolve("no-such-model");
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> GgufExport.export(missing, dir.resolve("out.gguf")));
        assertEquals(missing + ": does not exist; --model takes a model folder (config.json, *.safetensors, tokenizer.json)",
                e.getMessage());
        assertFalse(Files.exists(dir.resolve("out.gguf")));
    }

    @Test
    void aModelWithoutTokenizerIsRefused() {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> GgufExport.export(Fixtures.tiny("float32"), dir.resolve("out.gguf")));
        assertTrue(e.getMessage().contains("tokenizer.json: file not found; a GGUF file carries its tokenizer"), e.getMessage());
    }

    @Test
    void unwritableOutputsSayWhy() throws IOException {
        UncheckedIOException noFolder = assertThrows(UncheckedIOException.class,
                () -> GgufExport.export(Fixtures.NANOPHI, dir.resolve("missing/out.gguf")));
        assertTrue(noFolder.getMessage().contains("the folder " + dir.resolve("missing").toAbsolutePath()
                + " does not exist (create it first)"), noFolder.getMessage());

        Path file = Files.writeString(dir.resolve("a-file"), "");
        UncheckedIOException notFolder = assertThrows(UncheckedIOException.class,
                () -> GgufExport.export(Fixtures.NANOPHI, file.resolve("out.gguf")));
        assertTrue(notFolder.getMessage().contains(file.toAbsolutePath() + " is not a directory"), notFolder.getMessage());

        Path folder = Files.createDirectory(dir.resolve("a-folder.gguf"));
        UncheckedIOException isFolder = assertThrows(UncheckedIOException.class, () -> GgufExport.export(Fixtures.NANOPHI, folder));
        assertTrue(isFolder.getMessage().contains("it is a directory; give a file name"), isFolder.getMessage());
        assertEquals(List.of("a-file", "a-folder.gguf"), listing(dir));
    }

    @Test
    void aTokenizerLargerThanTheEmbeddingIsRefused() throws IOException {
        Path model = Files.createDirectory(dir.resolve("small-vocab"));
        ObjectNode config = (ObjectNode) JSON.readTree(Fixtures.NANOPHI.resolve("config.json").toFile());
        config.put("vocab_size", 50000);
        JSON.writeValue(model.resolve("config.json").toFile(), config);
        TokenizerDefinition tokenizer = TokenizerDefinition.read(Fixtures.NANOPHI.resolve("tokenizer.json"));
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.NANOPHI)) {
            // Through write: a checkpoint of 50000 rows would fail on its shapes first; edited weights need not.
            ModelFormatException e = assertThrows(ModelFormatException.class,
                    () -> GgufExport.write(PhiConfig.load(model), tokenizer, "small", checkpoint::find, dir.resolve("out.gguf")));
            assertEquals(Fixtures.NANOPHI.resolve("tokenizer.json") + ": gives ids up to 50294 ('\t\t'), but the model has 50000 "
                    + "embedding rows (vocab_size in config.json): tokenizer and model do not match", e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("out.gguf")));
    }

    @Test
    void twoTokensOfTheSameTextAreRefused() throws IOException {
        // llama.cpp keeps one id per text and asserts on load: here an added token spelled like a padding row's name.
        Path model = Files.createDirectory(dir.resolve("same-text"));
        ObjectNode tokenizer = (ObjectNode) JSON.readTree(Fixtures.NANOPHI.resolve("tokenizer.json").toFile());
        ObjectNode added = ((ObjectNode) tokenizer.get("added_tokens").get(1)).put("content", "[PAD50300]");
        assertEquals(50257, added.get("id").intValue());
        JSON.writeValue(model.resolve("tokenizer.json").toFile(), tokenizer);
        Files.copy(Fixtures.NANOPHI.resolve("config.json"), model.resolve("config.json"));
        Files.copy(Fixtures.NANOPHI.resolve("model.safetensors"), model.resolve("model.safetensors"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufExport.export(model, dir.resolve("out.gguf")));
        assertTrue(e.getMessage().contains("ids 50257 and 50300 are both the token '[PAD50300]'; llama.cpp needs every token's "
                + "text to be unique"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("out.gguf")));
    }

    @Test
    void aDeclaredDtypeTheTensorsDoNotHaveIsRefusedAsLoadingRefusesIt() throws IOException {
        Path model = Files.createDirectory(dir.resolve("declared-f32"));
        ObjectNode config = (ObjectNode) JSON.readTree(Fixtures.NANOPHI.resolve("config.json").toFile());
        config.put("torch_dtype", "float32");
        JSON.writeValue(model.resolve("config.json").toFile(), config);
        Files.copy(Fixtures.NANOPHI.resolve("model.safetensors"), model.resolve("model.safetensors"));
        Files.copy(Fixtures.NANOPHI.resolve("tokenizer.json"), model.resolve("tokenizer.json"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufExport.export(model, dir.resolve("out.gguf")));
        assertTrue(e.getMessage().contains("is F16 but config.json declares float32"), e.getMessage());
    }

    @Test
    void tensorsTheConfigDoesNotDescribeAreRefused() throws IOException {
        Path model = Files.createDirectory(dir.resolve("three-blocks"));
        ObjectNode config = (ObjectNode) JSON.readTree(Fixtures.NANOPHI.resolve("config.json").toFile());
        config.put("num_hidden_layers", 3);
        JSON.writeValue(model.resolve("config.json").toFile(), config);
        Files.copy(Fixtures.NANOPHI.resolve("model.safetensors"), model.resolve("model.safetensors"));
        Files.copy(Fixtures.NANOPHI.resolve("tokenizer.json"), model.resolve("tokenizer.json"));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GgufExport.export(model, dir.resolve("out.gguf")));
        assertTrue(e.getMessage().contains("set num_hidden_layers to 4"), e.getMessage());
    }

    @Test
    void editedWeightsExportInPlaceOfTheCheckpoints() throws IOException {
        // What an intervention's export will do: the checkpoint's tensors, one replaced.
        float[] bias = new float[128];
        Arrays.fill(bias, 0.25f);
        Tensor edited = new Tensor("model.layers.3.mlp.fc2.bias", DType.F32, new int[] {128}, MemorySegment.ofArray(bias), null);
        Path out = dir.resolve("edited.gguf");
        try (Checkpoint checkpoint = Checkpoint.open(Fixtures.NANOPHI)) {
            GgufExport.write(PhiConfig.load(Fixtures.NANOPHI), TokenizerDefinition.read(Fixtures.NANOPHI.resolve("tokenizer.json")),
                    "nanophi-py edited", name -> name.equals(edited.name()) ? Optional.of(edited) : checkpoint.find(name), out);
        }
        GgufFileReader gguf = GgufFileReader.read(out);
        assertFloats(bias, gguf.bytes(gguf.tensor("blk.3.ffn_down.bias")), "the edited bias");
        assertEquals(new Value(GgufFileReader.STRING, -1, "nanophi-py edited"), gguf.keys().get("general.name"));
        assertArrayEquals(nanophi.bytes(nanophi.tensor("blk.3.ffn_down.weight")), gguf.bytes(gguf.tensor("blk.3.ffn_down.weight")));
    }

    // --- expectations, written independently of the exporter ---

    /** GGUF name → Hugging Face name, in the file's order. */
    private static Map<String, String> expectedNames(int blocks, boolean tied) {
        Map<String, String> names = new LinkedHashMap<>();
        names.put("token_embd.weight", "model.embed_tokens.weight");
        String[][] perBlock = {
            {"attn_norm", "input_layernorm"}, {"attn_q", "self_attn.q_proj"}, {"attn_k", "self_attn.k_proj"},
            {"attn_v", "self_attn.v_proj"}, {"attn_output", "self_attn.dense"}, {"ffn_up", "mlp.fc1"}, {"ffn_down", "mlp.fc2"}};
        for (int b = 0; b < blocks; b++) {
            for (String[] pair : perBlock) {
                for (String part : List.of(".weight", ".bias")) {
                    names.put("blk." + b + "." + pair[0] + part, "model.layers." + b + "." + pair[1] + part);
                }
            }
        }
        names.put("output_norm.weight", "model.final_layernorm.weight");
        names.put("output_norm.bias", "model.final_layernorm.bias");
        names.put("output.weight", tied ? "model.embed_tokens.weight" : "lm_head.weight");
        names.put("output.bias", "lm_head.bias");
        return names;
    }

    /** Values whose float16 rounding is a tie or an edge case; the test above gives each one's bits. */
    private static final float[] TIES = {
        1 + 0x1p-11f,             // halfway between 1 and 1 + 2^-10: to 1 (even)
        1 + 3 * 0x1p-11f,         // halfway between 1 + 2^-10 and 1 + 2^-9: to the even 1 + 2^-9
        1 + 0x1p-11f + 0x1p-20f,  // just above halfway: up
        -(1 + 0x1p-11f),          // the same tie, negative
        0x1p-25f,                 // half the smallest subnormal: to 0 (even)
        3 * 0x1p-25f,             // halfway between subnormals 1 and 2: to 2
        0x1p-26f,                 // below half the smallest subnormal: 0
        65504f,                   // the largest half
        65519f,                   // below the midpoint 65520 to infinity: 65504
        -0f,                      // negative zero keeps its sign
        0x1p-24f,                 // the smallest subnormal, exactly
    };

    /**
     * The float16 nearest {@code x}, ties to the even bit pattern: found among all finite halves
     * by search, not by bit manipulation, so it shares nothing with a converter.
     */
    static short nearestHalf(float x) {
        int sign = (Float.floatToRawIntBits(x) >>> 31) << 15;
        double a = Math.abs((double) x);
        if (a >= 65520) {
            return (short) (sign | 0x7c00);
        }
        int lo = 0;
        int hi = 0x7bff;
        while (lo < hi) {  // the largest finite half <= a
            int mid = (lo + hi + 1) >>> 1;
            if (Float.float16ToFloat((short) mid) <= a) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        double below = Float.float16ToFloat((short) lo);
        double above = lo == 0x7bff ? 65536 : Float.float16ToFloat((short) (lo + 1));
        int bits;
        if (a - below < above - a) {
            bits = lo;
        } else if (a - below > above - a) {
            bits = lo + 1;
        } else {
            bits = lo % 2 == 0 ? lo : lo + 1;
        }
        return (short) (sign | bits);
    }

    @Test
    void theSearchOracleAgreesWithTheHandWorkedCases() {
        // So that a wrong oracle cannot pass a wrong exporter.
        assertEquals(0x3c00, nearestHalf(TIES[0]));
        assertEquals(0x3c02, nearestHalf(TIES[1]));
        assertEquals(0x0000, nearestHalf(TIES[4]));
        assertEquals(0x0002, nearestHalf(TIES[5]));
        assertEquals(0x7bff, nearestHalf(TIES[8]));
        assertEquals((short) 0x8000, nearestHalf(TIES[9]));
    }

    @FunctionalInterface
    interface ValueEdit {
        float value(String name, long index, float original);
    }

    /**
     * nanophi-py re-written in {@code dtype} with edited values (and, untied, an lm_head.weight of
     * its own), with its config and tokenizer. In float32, the first values of block 0's q_proj are {@link #TIES}.
     */
    private static Path derive(Path model, DType dtype, boolean tied, ValueEdit edit) throws IOException {
        Files.createDirectories(model);
        ObjectNode config = (ObjectNode) JSON.readTree(Fixtures.NANOPHI.resolve("config.json").toFile());
        config.put("torch_dtype", dtype == DType.F32 ? "float32" : "bfloat16");
        config.put("tie_word_embeddings", tied);
        JSON.writeValue(model.resolve("config.json").toFile(), config);
        Files.copy(Fixtures.NANOPHI.resolve("tokenizer.json"), model.resolve("tokenizer.json"));
        try (Checkpoint source = Checkpoint.open(Fixtures.NANOPHI)) {
            List<String> names = new ArrayList<>(source.names());
            if (!tied) {
                names.add("lm_head.weight");
            }
            List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
            for (String name : names) {
                Tensor t = source.tensor(name.equals("lm_head.weight") ? "model.embed_tokens.weight" : name);
                entries.add(new SafeTensorsWriter.Entry(name, dtype, t.shape(), segment -> {
                    for (long i = 0; i < t.elementCount(); i++) {
                        float x = dtype == DType.F32 && name.equals("model.layers.0.self_attn.q_proj.weight") && i < TIES.length
                                ? TIES[(int) i] : edit.value(name, i, t.getFloat(i) * (name.equals("lm_head.weight") ? -1 : 1));
                        if (dtype == DType.F32) {
                            segment.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4 * i, x);
                        } else {
                            segment.set(LITTLE_ENDIAN_SHORT, 2 * i,
                                    Float16.bfloat16FromFloat(x));
                        }
                    }
                }));
            }
            SafeTensorsWriter.write(model.resolve("model.safetensors"), Map.of("format", "pt"), entries);
        }
        return model;
    }

    private static long hash(String name, long i) {
        return new SplittableRandom(name.hashCode() * 31L + i).nextLong(Long.MAX_VALUE);
    }

    private static float[] widenedHalves(Tensor t) {
        float[] out = new float[(int) t.elementCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Float.float16ToFloat(t.data().get(LITTLE_ENDIAN_SHORT, 2L * i));
        }
        return out;
    }

    private static void assertFloats(float[] expected, byte[] actual, String what) {
        ByteBuffer in = ByteBuffer.wrap(actual).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(expected.length * 4, actual.length, what + " size");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(in.getFloat()), what + "[" + i + "]");
        }
    }

    private static short[] shorts(byte[] bytes) {
        short[] out = new short[bytes.length / 2];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
        return out;
    }

    private static long[] reversed(int[] shape) {
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[shape.length - 1 - i];
        }
        return dims;
    }

    private static List<String> listing(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static Value string(String s) {
        return new Value(GgufFileReader.STRING, -1, s);
    }

    private static Value uint32(int v) {
        return new Value(GgufFileReader.UINT32, -1, v);
    }

    private static Value float32(float v) {
        return new Value(GgufFileReader.FLOAT32, -1, v);
    }
}
