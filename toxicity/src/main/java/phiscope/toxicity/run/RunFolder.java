package phiscope.toxicity.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.stream.Stream;
import phiscope.probes.cli.ProgressBars;
import phiscope.probes.intervention.InterventionStamp;
import phiscope.toxicity.AtomicFiles;
import phiscope.toxicity.ReproducibleJson;
import phiscope.toxicity.report.Report;
import phiscope.toxicity.report.ReportWriter;

/**
 * Runs an audit into a folder that loses nothing: manifest.json (what the run is), results.jsonl
 * (one line per item, appended as computed) and, at the end, summary.json, summary.csv and the
 * charts. Started again with the same model, dataset and settings it continues where it stopped
 * and ends with the numbers of an uninterrupted run; a folder made for another run is refused.
 */
public final class RunFolder {

    public static final String MANIFEST = "manifest.json";
    public static final String RESULTS = "results.jsonl";
    private static final String LOCK = ".lock";

    /** Told how far a run is: once its folder is ready (with what earlier runs saved), then after every block it saves. */
    @FunctionalInterface
    public interface Listener {
        Listener NONE = (done, total) -> { };

        void progress(int done, int total);
    }

    /**
     * What a run folder holds, read without taking it over (a run may be writing it).
     *
     * @param saved    items in results.jsonl
     * @param finished whether the summary has been written
     */
    public record Contents(Manifest manifest, int saved, boolean finished) {
    }

    private RunFolder() {
    }

    /**
     * @param out      where the summary table is printed
     * @param progress where the progress bar is drawn
     */
    public static Report run(Path folder, Audit audit, String modelId, DatasetDigest dataset, PrintWriter out,
                             PrintStream progress) {
        return run(folder, audit, modelId, dataset, out, progress, Listener.NONE);
    }

    /** {@link #run} that also tells {@code listener} how far it is. */
    public static Report run(Path folder, Audit audit, String modelId, DatasetDigest dataset, PrintWriter out,
                             PrintStream progress, Listener listener) {
        return run(folder, audit, modelId, Optional.empty(), dataset, out, progress, listener, BlockScorer.HERE);
    }

    /**
     * {@link #run} of a model edited by {@code intervention} (if present), with the missing blocks
     * scored by {@code scorer} (on a cluster, say): the folder, its files and their bytes are those
     * of a single-machine run, and either kind of run can finish what the other began.
     */
    public static Report run(Path folder, Audit audit, String modelId, Optional<InterventionStamp> intervention, DatasetDigest dataset,
                             PrintWriter out, PrintStream progress, Listener listener, BlockScorer scorer) {
        Manifest requested = Manifest.of(audit.benchmark(), modelId, intervention, dataset, audit.settings(), audit.size());
        try {
            Files.createDirectories(folder);
            try (FileChannel lockFile = FileChannel.open(folder.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = lockOrRefuse(lockFile, folder)) {
                Manifest manifest = prepare(folder, requested);
                scoreMissing(folder, audit, progress, listener, scorer, manifest);
                Report report = audit.report(readResults(folder, audit.size()));
                ReportWriter.write(report, folder, out);
                return report;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use run folder " + folder, e);
        }
    }

    /** The folder's lock: two processes appending to one results.jsonl would corrupt it. */
    private static FileLock lockOrRefuse(FileChannel lockFile, Path folder) throws IOException {
        FileLock lock;
        try {
            lock = lockFile.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this JVM
        }
        if (lock == null) throw new RunRefusedException(folder + " is in use by another run");
        return lock;
    }

    /** Writes the manifest of a new run, or checks that the folder's run is the requested one; returns the folder's manifest. */
    private static Manifest prepare(Path folder, Manifest requested) throws IOException {
        Path manifestFile = folder.resolve(MANIFEST);
        if (Files.exists(manifestFile)) {
            Manifest existing = Manifest.fromJson(ReproducibleJson.MAPPER.readTree(manifestFile.toFile()));
            List<String> differences = existing.differencesFrom(requested);
            if (!differences.isEmpty()) {
                throw new RunRefusedException(folder + " holds a different run, so it cannot be resumed:"
                        + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ", differences)
                        + System.lineSeparator() + "Choose another --out folder, or delete this one to start over.");
            }
            return existing;
        }
        try (Stream<Path> entries = Files.list(folder)) {
            if (entries.anyMatch(p -> !p.getFileName().toString().equals(LOCK))) {
                throw new RunRefusedException(folder + " is not empty and has no " + MANIFEST
                        + ", so it is not a phiscope run folder; choose an empty or new --out folder");
            }
        }
        AtomicFiles.writeJson(manifestFile, requested.toJson());
        return requested;
    }

    /** Scores the blocks results.jsonl lacks, saving each as it finishes; at the end the lines are in item order. */
    private static void scoreMissing(Path folder, Audit audit, PrintStream progressStream, Listener listener, BlockScorer scorer,
                                     Manifest manifest) throws IOException {
        int size = audit.size();
        int blockSize = audit.blockSize();
        boolean inOrder;
        try (ResultsLog log = ResultsLog.open(folder.resolve(RESULTS), size);
             ProgressBars progress = new ProgressBars(audit.benchmark(), progressStream, log.saved().size())) {
            // The whole block is scored again, so its batch is the one an uninterrupted run scores.
            List<Block> missing = new ArrayList<>();
            for (int from = 0; from < size; from += blockSize) {
                int to = Math.min(size, from + blockSize);
                if (log.saved().subMap(from, to).size() != to - from) missing.add(new Block(from, to));
            }
            Optional<ObjectNode> session = scorer.manifestEntry(missing);
            if (session.isPresent() && !missing.isEmpty()) {
                AtomicFiles.writeJson(folder.resolve(MANIFEST), manifest.withDistributed(session.get()).toJson());
            }
            progress.advance("", log.saved().size(), size);
            listener.progress(log.saved().size(), size);
            String[] note = {""};
            scorer.score(audit, missing, new BlockScorer.Sink() {
                @Override
                public void finished(Block block, List<ObjectNode> results) {
                    if (results.size() != block.size()) {
                        throw new IllegalStateException(audit.benchmark() + " returned " + results.size() + " results for "
                                + block.size() + " items");
                    }
                    for (int i = block.from(); i < block.to(); i++) {
                        if (!log.saved().containsKey(i)) log.append(i, results.get(i - block.from()));
                    }
                    log.sync();
                    progress.advance(note[0], log.saved().size(), size);
                    listener.progress(log.saved().size(), size);
                }

                @Override
                public void note(String text) {
                    note[0] = text;
                    progress.advance(text, log.saved().size(), size);
                }
            });
            inOrder = log.inOrder();
        }
        if (!inOrder) ResultsLog.sortByIndex(folder.resolve(RESULTS), size);
    }

    /** The run in {@code folder}, if it is a run folder (it has a manifest). */
    public static Optional<Contents> inspect(Path folder) {
        Path manifest = folder.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) return Optional.empty();
        try {
            Path results = folder.resolve(RESULTS);
            int saved = 0;
            if (Files.exists(results)) {
                // Complete lines only: a torn last line is not a saved item.
                for (byte b : Files.readAllBytes(results)) if (b == '\n') saved++;
            }
            return Optional.of(new Contents(Manifest.fromJson(ReproducibleJson.MAPPER.readTree(manifest.toFile())), saved,
                    Files.exists(folder.resolve(ReportWriter.SUMMARY_JSON))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read run folder " + folder, e);
        }
    }

    /** Every item's result in item order, read back from results.jsonl: one path for fresh and resumed runs. */
    public static List<JsonNode> readResults(Path folder, int size) {
        try (ResultsLog log = ResultsLog.open(folder.resolve(RESULTS), size)) {
            SortedMap<Integer, JsonNode> saved = log.saved();
            if (saved.size() != size) throw new IllegalStateException("results.jsonl holds " + saved.size() + " of " + size + " items");
            return new ArrayList<>(saved.values());
        }
    }
}
