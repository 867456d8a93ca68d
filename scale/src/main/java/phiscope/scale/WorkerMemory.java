package phiscope.scale;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.stream.Stream;
import phiscope.engine.model.WeightOptions;

/**
 * Whether a worker has room for the weights before it copies them into memory: a worker that runs
 * out part way through is killed by the kernel or its container, and Spark only retries it.
 */
final class WorkerMemory {

    private static final Path MEMINFO = Path.of("/proc/meminfo");
    private static final Path CGROUP = Path.of("/sys/fs/cgroup");

    private WorkerMemory() {
    }

    static void requireRoomFor(Path modelDirectory, WeightOptions weights, String host) {
        long needed = neededBytes(weightFileBytes(modelDirectory), weights);
        OptionalLong available = availableBytes();
        if (available.isPresent()) check(needed, available.getAsLong(), weights, host);
    }

    /** Refuses when the weights need more than is available. */
    static void check(long needed, long available, WeightOptions weights, String host) {
        if (needed <= available) return;
        throw new WorkerProblem(String.format(Locale.ROOT, "worker %s has %.1f GB of memory available, but the weights need %.1f GB "
                        + "(--weights %s%s); give its executors more memory (spark.executor.memoryOverhead holds them, off the heap), "
                        + "use --quantize q8_0 (about half), or --weights mmap", host, available / 1e9, needed / 1e9,
                weights.storage().label(), weights.quantization().map(q -> " --quantize " + q.label()).orElse("")));
    }

    /**
     * The anonymous memory the weights take: none when mapped (the page cache holds them), the
     * files' size when copied, scaled by the quantized bits per weight of a 16-bit checkpoint.
     */
    static long neededBytes(long fileBytes, WeightOptions weights) {
        if (weights.storage() == WeightOptions.Storage.MMAP) return 0;
        return weights.quantization().map(q -> (long) (fileBytes * q.bitsPerWeight() / 16)).orElse(fileBytes);
    }

    private static long weightFileBytes(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            long total = 0;
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".safetensors")
                    && !f.getFileName().toString().equals("reference.safetensors")).toList()) {
                total += Files.size(file);
            }
            return total;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + directory, e);
        }
    }

    /** MemAvailable, or less if this JVM's cgroup (a container) has a lower limit; empty where neither can be read. */
    private static OptionalLong availableBytes() {
        OptionalLong free = memAvailable();
        OptionalLong container = cgroupRoom();
        if (free.isPresent() && container.isPresent()) return OptionalLong.of(Math.min(free.getAsLong(), container.getAsLong()));
        return free.isPresent() ? free : container;
    }

    private static OptionalLong memAvailable() {
        try {
            for (String line : Files.readAllLines(MEMINFO)) {
                if (line.startsWith("MemAvailable:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("\\D", "")) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: nothing to check against
        }
        return OptionalLong.empty();
    }

    private static OptionalLong cgroupRoom() {
        try {
            List<String> max = Files.readAllLines(CGROUP.resolve("memory.max"));
            if (max.isEmpty() || max.getFirst().strip().equals("max")) return OptionalLong.empty();
            long current = Long.parseLong(Files.readString(CGROUP.resolve("memory.current")).strip());
            return OptionalLong.of(Long.parseLong(max.getFirst().strip()) - current);
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
