package phiscope.engine.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsFileTest {

    @TempDir
    Path dir;

    @Test
    void writtenTensorsReadBackExactly() {
        Path file = dir.resolve("t.safetensors");
        float[] values = {1.5f, -2.25f, 0f, 65504f, 1e-7f, -0f};
        SafeTensorsWriter.write(file, Map.of("format", "pt"), List.of(
                SafeTensorsWriter.Entry.floats("a", new int[] {2, 3}, values),
                SafeTensorsWriter.Entry.halves("b", new int[] {6}, values)));
        try (Arena arena = Arena.ofConfined()) {
            SafeTensorsFile read = SafeTensorsFile.open(file, arena);
            assertEquals("pt", read.metadata().get("format"));
            assertArrayEquals(new int[] {2, 3}, read.tensor("a").shape());
            assertArrayEquals(values, read.tensor("a").toFloatArray());
            float[] halves = read.tensor("b").toFloatArray();
            for (int i = 0; i < values.length; i++) {
                assertEquals(Float.float16ToFloat(Float.floatToFloat16(values[i])), halves[i]);
            }
        }
        // Hugging Face pads the header to a multiple of 8 so the data section is aligned.
        assertEquals(0, (8 + headerLength(file)) % 8);
    }

    @Test
    void missingFile() {
        assertError(dir.resolve("absent.safetensors"), "file not found");
    }

    @Test
    void shorterThanTheLengthPrefix() throws IOException {
        Path file = dir.resolve("short.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        assertError(file, "truncated");
    }

    @Test
    void headerLengthPastTheEndOfTheFile() throws IOException {
        Path file = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, bytes.length + 100L);
        Files.write(file, bytes);
        assertError(file, "runs past the end of the file");
    }

    @Test
    void implausibleHeaderLength() throws IOException {
        Path file = dir.resolve("huge.safetensors");
        byte[] bytes = new byte[16];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        Files.write(file, bytes);
        assertError(file, "not plausible");
    }

    @Test
    void headerThatIsNotJson() throws IOException {
        assertError(raw("{\"a\": [1, 2", 0), "header is not valid JSON");
        assertError(raw("[1, 2, 3]", 0), "header is not a JSON object");
    }

    @Test
    void dataOffsetsOutOfRange() throws IOException {
        assertError(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8), "outside the data section");
        assertError(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}", 8), "outside the data section");
    }

    @Test
    void overlappingTensors() throws IOException {
        assertError(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12), "overlap");
    }

    @Test
    void byteRangeThatDisagreesWithDtypeAndShape() throws IOException {
        assertError(raw("{\"a\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "F16 [3] = 6 bytes");
    }

    @Test
    void unsupportedDtype() throws IOException {
        assertError(raw("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "unsupported dtype F8_E4M3");
    }

    @Test
    void entryWithoutOffsets() throws IOException {
        assertError(raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "needs dtype, shape and data_offsets");
    }

    private void assertError(Path file, String expected) {
        try (Arena arena = Arena.ofConfined()) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> SafeTensorsFile.open(file, arena));
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertTrue(e.getMessage().contains(expected), e.getMessage());
        }
    }

    private Path raw(String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(json.length).put(json);
        Path file = Files.createTempFile(dir, "raw", ".safetensors");
        Files.write(file, buffer.array());
        return file;
    }

    private static long headerLength(Path file) {
        try {
            return ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
