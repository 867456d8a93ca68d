package phiscope.engine.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import phiscope.engine.io.Checkpoint;
import phiscope.engine.io.ModelFormatException;
import phiscope.engine.io.SafeTensorsWriter;
import phiscope.engine.io.Tensor;

/**
 * Writes a model folder again as a Hugging Face checkpoint that transformers (and phiscope) loads:
 * its config, tokenizer and other files copied, and all of its tensors in one
 * {@code model.safetensors}, some of them replaced (an edit folded into the weights). The folder
 * appears only when complete.
 */
public final class CheckpointExport {

    private CheckpointExport() {
    }

    /**
     * @param replaced tensors to write instead of the checkpoint's, by name; each must be one the
     *                 checkpoint has, of the same shape
     */
    public static void export(Path modelDirectory, Map<String, Tensor> replaced, Path out) {
        if (!Files.isDirectory(modelDirectory)) {
            throw new ModelFormatException(modelDirectory, (Files.exists(modelDirectory) ? "is not a directory" : "does not exist")
                    + "; --model takes a model folder (config.json, *.safetensors, tokenizer.json)");
        }
        if (Files.exists(out)) {
            throw new IllegalArgumentException("--out " + out + " exists; export writes a new checkpoint folder, so name one that is not there");
        }
        PhiConfig.load(modelDirectory); // a folder phiscope cannot run is refused before anything is written
        Path partial = out.toAbsolutePath().resolveSibling("." + out.getFileName() + ".partial");
        try (Checkpoint checkpoint = Checkpoint.open(modelDirectory)) {
            List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
            for (String name : checkpoint.names()) {
                Tensor source = checkpoint.tensor(name);
                Tensor tensor = replaced.getOrDefault(name, source);
                if (!Arrays.equals(tensor.shape(), source.shape())) {
                    throw new IllegalArgumentException("the edited '" + name + "' has shape " + Arrays.toString(tensor.shape())
                            + ", the checkpoint's " + Arrays.toString(source.shape()));
                }
                entries.add(new SafeTensorsWriter.Entry(name, tensor.dtype(), tensor.shape(),
                        segment -> MemorySegment.copy(tensor.data(), 0, segment, 0, segment.byteSize())));
            }
            for (String name : replaced.keySet()) {
                if (!checkpoint.contains(name)) {
                    throw new IllegalArgumentException("the checkpoint has no tensor '" + name + "' to replace");
                }
            }
            deleteTree(partial);
            Files.createDirectories(partial);
            for (Path file : copiedFiles(modelDirectory)) {
                Files.copy(file, partial.resolve(file.getFileName()));
            }
            // transformers reads a safetensors file only if its metadata says which framework wrote it.
            SafeTensorsWriter.write(partial.resolve(Checkpoint.SINGLE_FILE), Map.of("format", "pt"), entries);
            Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        } finally {
            deleteTree(partial);
        }
    }

    /** Every file of the folder but its weights: config, tokenizer, generation config, licences. */
    private static List<Path> copiedFiles(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(Files::isRegularFile).filter(f -> {
                String name = f.getFileName().toString();
                return !name.endsWith(".safetensors") && !name.equals(Checkpoint.INDEX_FILE);
            }).sorted().toList();
        }
    }

    private static void deleteTree(Path folder) {
        if (!Files.exists(folder)) return;
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + folder + ": " + e.getMessage(), e);
        }
    }
}
