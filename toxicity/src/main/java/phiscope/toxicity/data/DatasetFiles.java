package phiscope.toxicity.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Reading dataset files as text, and finding a dataset's files in a folder. */
final class DatasetFiles {

    private DatasetFiles() {
    }

    static String readText(Path file) {
        if (!Files.isRegularFile(file)) throw new DatasetException(file + " does not exist or is not a file");
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String text = utf8(file, bytes);
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** {@code bytes} as UTF-8 text; a file in another encoding (or not text at all) is refused at its first bad byte. */
    private static String utf8(Path file, byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isUnderflow()) result = decoder.flush(out);
        if (result.isError()) {
            int offset = in.position();
            int line = 1;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') line++;
            }
            throw new DatasetException(String.format(Locale.ROOT, "%s is not UTF-8 text: the byte at offset %d (line %d) is 0x%02X, which "
                    + "UTF-8 does not allow there; save the file as UTF-8", file.getFileName(), offset, line, bytes[offset] & 0xFF));
        }
        return out.flip().toString();
    }

    /** {@code path} itself if it is a file, else its files whose names match, sorted by name. */
    static List<Path> fileOrFolder(Path path, Predicate<String> nameMatches, String whatIsExpected) {
        if (Files.isRegularFile(path)) return List.of(path);
        if (!Files.isDirectory(path)) throw new DatasetException(path + " does not exist");
        try (Stream<Path> entries = Files.list(path)) {
            List<Path> files = entries.filter(Files::isRegularFile)
                    .filter(f -> nameMatches.test(f.getFileName().toString()))
                    .sorted()
                    .toList();
            if (files.isEmpty()) throw new DatasetException(path + " holds no " + whatIsExpected);
            return files;
        } catch (IOException e) {
            throw new DatasetException("cannot list " + path + ": " + e.getMessage(), e);
        }
    }
}
