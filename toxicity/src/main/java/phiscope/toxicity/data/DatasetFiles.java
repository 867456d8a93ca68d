package phiscope.toxicity.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Reading dataset files as text, and finding a dataset's files in a folder. */
final class DatasetFiles {

    private DatasetFiles() {
    }

    static String readText(Path file) {
        if (!Files.isRegularFile(file)) throw new DatasetException(file + " does not exist or is not a file");
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (IOException e) {
            throw new DatasetException("cannot read " + file + ": " + e.getMessage(), e);
        }
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
