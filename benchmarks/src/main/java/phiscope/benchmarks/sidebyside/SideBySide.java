package phiscope.benchmarks.sidebyside;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * phiscope against llama.cpp on the same weights and the same machine: for each format and
 * thread count, {@code phiscope bench} on the checkpoint (quantized at load time for Q8_0 and
 * Q4_0, with the same rounding as llama.cpp's reference quantizer) and {@code llama-bench} on the
 * GGUF file exported from it, one after the other, for several rounds. On a VM whose bandwidth
 * and clock drift between minutes, only neighbouring runs compare, so each cell's ratio is the
 * median of the rounds' own ratios, and which engine goes first alternates.
 */
@Command(name = "side-by-side", mixinStandardHelpOptions = true, sortOptions = false, description = {
    "Alternate phiscope bench and llama-bench on the same weights and print tokens/s, medians over rounds,",
    "and phiscope ÷ llama.cpp per cell (the median of each round's ratio)."})
public final class SideBySide implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--llama-bench", required = true, paramLabel = "FILE", description = "The llama-bench binary.")
    Path llamaBench;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "The float16 checkpoint phiscope runs, from which the GGUF files were exported and quantized.")
    Path model;

    @Option(names = "--gguf", required = true, paramLabel = "FORMAT=FILE",
            description = "A GGUF file and its format (F16, Q8_0, Q4_0), e.g. Q8_0=synth-q8_0.gguf; repeat per format.")
    Map<String, Path> gguf = new LinkedHashMap<>();

    @Option(names = "--threads", split = ",", paramLabel = "N[,N...]", description = "Thread counts (default: 1,2).")
    List<Integer> threads = List.of(1, 2);

    @Option(names = "--rounds", paramLabel = "N", description = "Rounds over every cell (default: ${DEFAULT-VALUE}).")
    int rounds = 3;

    @Option(names = "--repetitions", paramLabel = "N",
            description = "Timed runs of each test within one engine's run, as -r and --repetitions (default: ${DEFAULT-VALUE}).")
    int repetitions = 3;

    @Option(names = "--phiscope", paramLabel = "FILE", description = "The phiscope launcher (default: ./phiscope).")
    Path phiscope = Path.of("phiscope");

    @Option(names = "--log", paramLabel = "FILE", description = "Where both engines' own output goes (default: ${DEFAULT-VALUE}).")
    Path log = Path.of("benchmarks/target/side-by-side.log");

    /** The formats both engines run, with phiscope's --quantize value (none for F16: the checkpoint's own float16). */
    enum Format {
        F16(null), Q8_0("q8_0"), Q4_0("q4_0");

        final String quantize;

        Format(String quantize) {
            this.quantize = quantize;
        }

        /** The name phiscope bench reports in its JSON "format". */
        String phiscopeLabel() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Format of(String name) {
            for (Format f : values()) {
                if (f.name().equalsIgnoreCase(name)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("--gguf " + name + "=...: the format must be F16, Q8_0 or Q4_0");
        }
    }

    /** One row of the table. */
    record Cell(Format format, int threads) {
    }

    /** Tokens/s of one engine's run: prompts of 64 and 512 tokens, and 128 tokens decoded. */
    record Speeds(double prompt64, double prompt512, double decode) {

        double[] values() {
            return new double[] {prompt64, prompt512, decode};
        }
    }

    /** phiscope bench's speeds, and the bounds it measured in the same run. */
    record PhiscopeRun(Speeds speeds, double fmaPeakGflops, double bandwidthGbPerS) {
    }

    /** Both engines' speeds in one round of one cell. */
    record Pair(Speeds llamaCpp, PhiscopeRun phiscope) {
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new SideBySide());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (!(e instanceof IllegalArgumentException || e instanceof IllegalStateException)) {
                throw e;
            }
            System.err.println("side-by-side: " + e.getMessage());
            return 2;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (rounds < 1 || repetitions < 1 || threads.stream().anyMatch(t -> t < 1)) {
            throw new IllegalArgumentException("--rounds, --repetitions and --threads must be at least 1");
        }
        requireFile(llamaBench, "--llama-bench");
        requireFile(phiscope, "--phiscope");
        if (!Files.isDirectory(model)) {
            throw new IllegalArgumentException("--model " + model + ": not a model folder");
        }
        Map<Format, Path> files = new LinkedHashMap<>();
        for (Format f : Format.values()) {
            gguf.forEach((name, file) -> {
                if (Format.of(name) == f) {
                    requireFile(file, "--gguf " + name);
                    files.put(f, file);
                }
            });
        }
        List<Cell> cells = new ArrayList<>();
        files.keySet().forEach(f -> threads.forEach(t -> cells.add(new Cell(f, t))));
        Files.writeString(log, "");
        Map<Cell, List<Pair>> pairs = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (int c = 0; c < cells.size(); c++) {
                Cell cell = cells.get(c);
                boolean llamaFirst = (r + c) % 2 == 0;
                Speeds llama = null;
                PhiscopeRun ours = null;
                for (int turn = 0; turn < 2; turn++) {
                    if ((turn == 0) == llamaFirst) {
                        progress(r, cell, "llama-bench");
                        llama = llamaCpp(cell, files.get(cell.format()));
                    } else {
                        progress(r, cell, "phiscope bench");
                        ours = phiscope(cell);
                    }
                }
                pairs.computeIfAbsent(cell, k -> new ArrayList<>()).add(new Pair(llama, ours));
            }
        }
        System.out.println(machine());
        System.out.println(table(pairs, rounds));
        return 0;
    }

    private void progress(int round, Cell cell, String engine) {
        System.err.printf("side-by-side: round %d/%d, %s, %d thread(s): %s%n", round + 1, rounds, cell.format(), cell.threads(),
                engine);
    }

    private Speeds llamaCpp(Cell cell, Path file) throws IOException, InterruptedException {
        String out = run(List.of(llamaBench.toString(), "-m", file.toString(), "-mmp", "0", "-t", Integer.toString(cell.threads()),
                "-p", "64,512", "-n", "128", "-r", Integer.toString(repetitions), "-o", "json"));
        return parseLlamaBench(out, cell.format(), file);
    }

    private PhiscopeRun phiscope(Cell cell) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(phiscope.toString(), "bench", "--model", model.toString(), "--threads",
                Integer.toString(cell.threads()), "--prompt", "64,512", "--decode", "128",
                "--repetitions", Integer.toString(repetitions), "--json"));
        if (cell.format().quantize != null) {
            command.addAll(List.of("--quantize", cell.format().quantize));
        }
        return parsePhiscopeBench(run(command), cell.format());
    }

    /** Runs {@code command}; its stderr, and its stdout, are appended to the log. */
    private String run(List<String> command) throws IOException, InterruptedException {
        Files.writeString(log, "$ " + String.join(" ", command) + "\n", StandardOpenOption.APPEND);
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        Files.writeString(log, out + "\n", StandardOpenOption.APPEND);
        int code = process.waitFor();
        if (code != 0) {
            throw new IllegalStateException(command.getFirst() + " exited with " + code + "; its output is in " + log);
        }
        return out;
    }

    /**
     * llama-bench's {@code -o json}: one object per test; the median of each test's samples. The
     * model type it reports ends in the file's main format, which must be the one the file was given as.
     */
    static Speeds parseLlamaBench(String json, Format format, Path file) throws IOException {
        Double p64 = null;
        Double p512 = null;
        Double decode = null;
        for (JsonNode test : JSON.readTree(json)) {
            String type = test.path("model_type").asText();
            if (!type.endsWith(" " + format.name())) {
                throw new IllegalArgumentException("--gguf " + format + "=" + file + ": llama-bench reads it as '" + type
                        + "', not " + format);
            }
            double median = median(JSON.convertValue(test.get("samples_ts"), double[].class));
            int prompt = test.path("n_prompt").asInt();
            int gen = test.path("n_gen").asInt();
            if (prompt == 64 && gen == 0) {
                p64 = median;
            } else if (prompt == 512 && gen == 0) {
                p512 = median;
            } else if (prompt == 0 && gen == 128) {
                decode = median;
            }
        }
        if (p64 == null || p512 == null || decode == null) {
            throw new IllegalStateException("llama-bench's output lacks pp64, pp512 or tg128: " + json);
        }
        return new Speeds(p64, p512, decode);
    }

    /** phiscope bench's {@code --json}: medians of its repetitions, in the format asked for, and its probes. */
    static PhiscopeRun parsePhiscopeBench(String json, Format format) throws IOException {
        JsonNode o = JSON.readTree(json);
        if (!format.phiscopeLabel().equals(o.path("format").asText())) {
            throw new IllegalArgumentException("phiscope bench ran " + o.path("format").asText() + ", not " + format.phiscopeLabel()
                    + ": --model must be a float16 checkpoint");
        }
        Speeds speeds = new Speeds(number(o, "prompt64_tokens_per_s"), number(o, "prompt512_tokens_per_s"),
                number(o, "decode_tokens_per_s"));
        return new PhiscopeRun(speeds, number(o, "fma_peak_gflops"), number(o, "bandwidth_gb_per_s"));
    }

    private static double number(JsonNode o, String key) {
        if (!o.path(key).isNumber()) {
            throw new IllegalStateException("phiscope bench's output lacks " + key + ": " + o);
        }
        return o.path(key).asDouble();
    }

    /**
     * The table: per cell each engine's median over rounds, then the median of the rounds'
     * own phiscope ÷ llama.cpp; ratios below 1.00 in bold.
     */
    static String table(Map<Cell, List<Pair>> pairs, int rounds) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "tokens/s, medians of %d round(s); ratio: median of each round's phiscope ÷ llama.cpp (below 1.00 in bold)%n%n",
                rounds));
        out.append("| format, threads | llama.cpp pp64 / pp512 / decode | phiscope pp64 / pp512 / decode | phiscope ÷ llama.cpp |\n");
        out.append("|---|---|---|---|\n");
        pairs.forEach((cell, list) -> {
            String[] llama = new String[3];
            String[] ours = new String[3];
            String[] ratio = new String[3];
            for (int i = 0; i < 3; i++) {
                int k = i;
                llama[i] = speed(median(list.stream().mapToDouble(p -> p.llamaCpp().values()[k]).toArray()));
                ours[i] = speed(median(list.stream().mapToDouble(p -> p.phiscope().speeds().values()[k]).toArray()));
                double r = median(list.stream().mapToDouble(p -> p.phiscope().speeds().values()[k] / p.llamaCpp().values()[k]).toArray());
                // Bold what reads below 1.00, so that a bold 1.00 never appears.
                ratio[i] = String.format(Locale.ROOT, Math.round(r * 100) < 100 ? "**%.2f**" : "%.2f", r);
            }
            out.append(String.format(Locale.ROOT, "| %s, %d | %s | %s | %s |%n", cell.format(), cell.threads(),
                    String.join(" / ", llama), String.join(" / ", ours), String.join(" / ", ratio)));
        });
        double[] fma = pairs.values().stream().flatMap(List::stream).mapToDouble(p -> p.phiscope().fmaPeakGflops()).toArray();
        double[] read = pairs.values().stream().flatMap(List::stream).mapToDouble(p -> p.phiscope().bandwidthGbPerS()).toArray();
        out.append(String.format(Locale.ROOT, "%nphiscope bench's probes in these runs: FMA peak %.0f–%.0f GFLOP/s, read bandwidth "
                + "%.1f–%.1f GB/s (each at the run's thread count)", min(fma), max(fma), min(read), max(read)));
        return out.toString();
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static double max(double[] values) {
        return Arrays.stream(values).max().orElseThrow();
    }

    /** Three significant figures, as llama-bench's and the tables have them. */
    static String speed(double tokensPerSecond) {
        return String.format(Locale.ROOT, tokensPerSecond >= 100 ? "%.0f" : tokensPerSecond >= 10 ? "%.1f" : "%.2f", tokensPerSecond);
    }

    static double median(double[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The CPU as Linux names it, for the reader of a table from another machine. */
    private static String machine() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        Map<String, String> cpu = new LinkedHashMap<>();
        if (Files.isReadable(cpuinfo)) {
            for (String line : Files.readAllLines(cpuinfo)) {
                String[] kv = line.split("\\s*:\\s*", 2);
                if (kv.length == 2) {
                    cpu.putIfAbsent(kv[0].trim(), kv[1].trim());
                }
            }
        }
        return String.format(Locale.ROOT, "machine: %s (cpu family %s, model %s), %d processors", cpu.getOrDefault("model name", "?"),
                cpu.getOrDefault("cpu family", "?"), cpu.getOrDefault("model", "?"), Runtime.getRuntime().availableProcessors());
    }

    private static void requireFile(Path file, String option) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + " " + file + ": no such file");
        }
    }
}
