package phiscope.engine.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import phiscope.engine.bench.EngineBenchmark;
import phiscope.engine.bench.MachineLimits;
import phiscope.engine.bench.Stats;
import phiscope.engine.io.EngineJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "bench", description = {
    "Measure the engine like llama-bench: load time, prompt processing, decoding and peak memory.",
    "The same run measures this machine's read bandwidth (of a 1 GB probe and of the model's own weights) and FMA peak, "
        + "so that each speed is also a fraction of its bound."})
public final class BenchCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--prompt", split = ",", paramLabel = "N[,N...]",
            description = "Prompt lengths to process in one pass (default: 64,512).")
    List<Integer> promptLengths = List.of(64, 512);

    @Option(names = "--decode", paramLabel = "N", description = "Tokens to decode one by one (default: ${DEFAULT-VALUE}; 0: none).")
    int decodeTokens = 128;

    @Option(names = "--score", paramLabel = "N", description = "Also score N texts of random tokens as the audits do, "
            + "packed into passes of 1024 tokens (default: ${DEFAULT-VALUE}: no scoring test).")
    int scoreTexts = 0;

    @Option(names = "--score-length", paramLabel = "L", description = "Tokens per scored text (default: ${DEFAULT-VALUE}, "
            + "about a ToxiGen sentence).")
    int scoreLength = 20;

    @Option(names = "--repetitions", paramLabel = "N", description = "Measured runs of each test, after a warm-up (default: ${DEFAULT-VALUE}).")
    int repetitions = 3;

    @Option(names = "--hook-overhead", description = "Also time the longest prompt with idle hooks everywhere and with "
            + "blocks.*.hook_resid_post captured.")
    boolean hookOverhead;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        EngineBenchmark.Settings settings = new EngineBenchmark.Settings(promptLengths, decodeTokens, scoreTexts, scoreLength,
                repetitions, hookOverhead);
        var options = model.weightOptions();
        EngineBenchmark.Result result = new EngineBenchmark(line -> System.err.println("bench: " + line))
                .run(model.directory(), options, model.threads(), settings);
        System.out.println(json ? json(result) : table(result));
        return 0;
    }

    static String table(EngineBenchmark.Result r) {
        MachineLimits limits = r.limits();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "machine (measured in this run, %d threads): read bandwidth %.1f GB/s (%.1f – %.1f), "
                + "reading the weights alone %.1f GB/s (%.1f – %.1f), FMA peak %.1f GFLOP/s (%.1f – %.1f), medians of %d probes%n",
                r.threads(), limits.bandwidth().median() / 1e9, limits.bandwidth().min() / 1e9, limits.bandwidth().max() / 1e9,
                limits.weightsRead().median() / 1e9, limits.weightsRead().min() / 1e9, limits.weightsRead().max() / 1e9,
                limits.fmaFlops().median() / 1e9, limits.fmaFlops().min() / 1e9, limits.fmaFlops().max() / 1e9,
                limits.fmaFlops().count()));
        out.append(String.format(Locale.ROOT, "model %s, %s weights (%.2f GB streamed per token), %s, load %.2f s, peak RSS %.2f GB%n%n",
                r.model(), r.format(), r.streamedBytes() / 1e9, r.weights(), r.loadSeconds(), r.peakRssBytes() / 1e9));
        out.append("| test | tokens/s (median) | min – max | of the bound |\n|---|---|---|---|\n");
        for (Map.Entry<Integer, Stats> prompt : r.promptTokensPerSecond().entrySet()) {
            Stats s = prompt.getValue();
            double gflops = r.promptFlopsPerSecond(prompt.getKey()) / 1e9;
            out.append(String.format(Locale.ROOT, "| prompt %d | %.2f | %.2f – %.2f | %.0f%% of FMA peak (%.1f GFLOP/s) |%n",
                    prompt.getKey(), s.median(), s.min(), s.max(), 100 * r.promptFractionOfPeak(prompt.getKey()), gflops));
        }
        if (r.decodeTokensPerSecond() != null) {
            Stats s = r.decodeTokensPerSecond();
            out.append(String.format(Locale.ROOT, "| decode %d | %.2f | %.2f – %.2f | %.0f%% of bandwidth, %.0f%% of reading the weights"
                    + " (%.1f GB/s) |%n", r.decodeTokens(), s.median(), s.min(), s.max(), 100 * r.decodeFractionOfBandwidth(),
                    100 * r.decodeFractionOfWeightsRead(), s.median() * r.streamedBytes() / 1e9));
        }
        if (r.scoredTokensPerSecond() != null) {
            Stats s = r.scoredTokensPerSecond();
            out.append(String.format(Locale.ROOT, "| score %d x %d | %.2f | %.2f – %.2f | %.0f%% of FMA peak (%.1f GFLOP/s) |%n",
                    r.scoreTexts(), r.scoreLength(), s.median(), s.min(), s.max(),
                    100 * r.scoreFlopsPerSecond() / r.limits().fmaFlopsPerSecond(), r.scoreFlopsPerSecond() / 1e9));
        }
        if (r.hookOverhead() != null) {
            out.append(String.format(Locale.ROOT, "%nhooks, prompt %d: idle hooks on every hook point %+.1f%%, capturing blocks.*.hook_resid_post %+.1f%%",
                    r.hookOverhead().promptTokens(), 100 * (r.hookOverhead().idleHooks() - 1),
                    100 * (r.hookOverhead().residPostCapture() - 1)));
        }
        return out.toString().stripTrailing();
    }

    static String json(EngineBenchmark.Result r) throws Exception {
        ObjectNode o = EngineJson.MAPPER.createObjectNode();
        o.put("model", r.model());
        o.put("format", r.format());
        o.put("weights", r.weights());
        o.put("threads", r.threads());
        o.put("load_seconds", r.loadSeconds());
        for (Map.Entry<Integer, Stats> prompt : r.promptTokensPerSecond().entrySet()) {
            String key = "prompt" + prompt.getKey();
            o.put(key + "_tokens_per_s", prompt.getValue().median());
            o.put(key + "_tokens_per_s_min", prompt.getValue().min());
            o.put(key + "_tokens_per_s_max", prompt.getValue().max());
            o.put(key + "_fraction_of_fma_peak", r.promptFractionOfPeak(prompt.getKey()));
        }
        if (r.decodeTokensPerSecond() != null) {
            o.put("decode_tokens", r.decodeTokens());
            o.put("decode_tokens_per_s", r.decodeTokensPerSecond().median());
            o.put("decode_tokens_per_s_min", r.decodeTokensPerSecond().min());
            o.put("decode_tokens_per_s_max", r.decodeTokensPerSecond().max());
            o.put("decode_fraction_of_bandwidth", r.decodeFractionOfBandwidth());
            o.put("decode_fraction_of_weights_read", r.decodeFractionOfWeightsRead());
        }
        if (r.scoredTokensPerSecond() != null) {
            o.put("score_texts", r.scoreTexts());
            o.put("score_text_tokens", r.scoreLength());
            o.put("score_tokens_per_s", r.scoredTokensPerSecond().median());
            o.put("score_tokens_per_s_min", r.scoredTokensPerSecond().min());
            o.put("score_tokens_per_s_max", r.scoredTokensPerSecond().max());
        }
        if (r.hookOverhead() != null) {
            o.put("hook_overhead_prompt_tokens", r.hookOverhead().promptTokens());
            o.put("idle_hooks_time_ratio", r.hookOverhead().idleHooks());
            o.put("resid_post_capture_time_ratio", r.hookOverhead().residPostCapture());
        }
        o.put("peak_rss_bytes", r.peakRssBytes());
        o.put("streamed_bytes_per_token", r.streamedBytes());
        o.put("block_flops_per_token", r.blockFlopsPerToken());
        o.put("unembedding_flops", r.unembeddingFlops());
        o.put("bandwidth_gb_per_s", r.limits().bandwidthBytesPerSecond() / 1e9);
        o.put("bandwidth_gb_per_s_min", r.limits().bandwidth().min() / 1e9);
        o.put("bandwidth_gb_per_s_max", r.limits().bandwidth().max() / 1e9);
        o.put("weights_read_gb_per_s", r.limits().weightsReadBytesPerSecond() / 1e9);
        o.put("weights_read_gb_per_s_min", r.limits().weightsRead().min() / 1e9);
        o.put("weights_read_gb_per_s_max", r.limits().weightsRead().max() / 1e9);
        o.put("fma_peak_gflops", r.limits().fmaFlopsPerSecond() / 1e9);
        o.put("fma_peak_gflops_min", r.limits().fmaFlops().min() / 1e9);
        o.put("fma_peak_gflops_max", r.limits().fmaFlops().max() / 1e9);
        return o.toString();
    }
}
