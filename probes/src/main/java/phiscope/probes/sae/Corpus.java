package phiscope.probes.sae;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Text to stream activations from: a file, or every {@code .py}, {@code .txt} and {@code .md} file
 * under a folder, in sorted path order so that a run sees the same windows in the same order every
 * time (which is what lets a killed run resume at the window it reached). A {@code .jsonl} file is
 * read as one JSON string per line ({@link SaeFeatures#readTexts}). Each text is tokenized on its
 * own and cut into windows of at most {@code contextSize} tokens; files that are not UTF-8 are
 * skipped and counted.
 */
public final class Corpus {

    private static final Set<String> TEXT_SUFFIXES = Set.of(".py", ".txt", ".md");
    /** A window shorter than this predicts too little to be worth a forward pass. */
    private static final int SHORTEST_WINDOW = 8;

    private final Path root;
    private final List<Path> files;
    private final Function<String, int[]> tokenizer;
    private final int contextSize;
    private final ArrayDeque<int[]> pending = new ArrayDeque<>();
    private int nextFile;
    private long windowsRead;
    private int skippedFiles;

    private Corpus(Path root, List<Path> files, Function<String, int[]> tokenizer, int contextSize) {
        this.root = root;
        this.files = files;
        this.tokenizer = tokenizer;
        this.contextSize = contextSize;
    }

    public static Corpus open(Path path, Function<String, int[]> tokenizer, int contextSize) {
        if (contextSize < SHORTEST_WINDOW) {
            throw new IllegalArgumentException("the context size must be at least " + SHORTEST_WINDOW + " tokens, not " + contextSize);
        }
        List<Path> files;
        if (Files.isDirectory(path)) {
            try (Stream<Path> walk = Files.walk(path)) {
                files = walk.filter(Files::isRegularFile)
                        .filter(p -> TEXT_SUFFIXES.stream().anyMatch(p.getFileName().toString()::endsWith))
                        .sorted().toList();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + path + ": " + e.getMessage(), e);
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException(path + ": no .py, .txt or .md files under this folder");
            }
        } else if (Files.isRegularFile(path)) {
            files = List.of(path);
        } else {
            throw new IllegalArgumentException(path + ": no such file or folder");
        }
        return new Corpus(path, files, tokenizer, contextSize);
    }

    public Path root() {
        return root;
    }

    /** The next window of token ids, or null when the corpus is used up. */
    public int[] next() {
        while (pending.isEmpty()) {
            if (nextFile == files.size()) {
                return null;
            }
            for (String text : texts(files.get(nextFile++))) {
                int[] ids = tokenizer.apply(text);
                for (int start = 0; start < ids.length; start += contextSize) {
                    int end = Math.min(ids.length, start + contextSize);
                    if (end - start >= SHORTEST_WINDOW) {
                        pending.add(java.util.Arrays.copyOfRange(ids, start, end));
                    }
                }
            }
        }
        windowsRead++;
        return pending.poll();
    }

    /** Windows handed out so far; a resumed run skips this many. */
    public long windowsRead() {
        return windowsRead;
    }

    /** Moves past {@code windows} windows without returning them. */
    public void skip(long windows) {
        for (long i = 0; i < windows; i++) {
            if (next() == null) {
                return;
            }
        }
    }

    /** Files left out because they are not UTF-8 text. */
    public int skippedFiles() {
        return skippedFiles;
    }

    private List<String> texts(Path file) {
        if (file.getFileName().toString().endsWith(".jsonl")) {
            return SaeFeatures.readTexts(file);
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            return List.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            skippedFiles++;
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
