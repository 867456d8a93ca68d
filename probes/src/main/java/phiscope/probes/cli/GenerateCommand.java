package phiscope.probes.cli;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.engine.model.Generator;
import phiscope.engine.model.Sampler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "generate", description = {
    "Continue a prompt, streaming tokens as they come.",
    "Greedy unless --temperature is above 0; stops at <|endoftext|> or after --max-tokens."})
public final class GenerateCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The text to continue.")
    String prompt;

    @Option(names = "--max-tokens", paramLabel = "N", description = "Most new tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens = 64;

    @Option(names = "--temperature", paramLabel = "T", description = "0 = greedy (default: ${DEFAULT-VALUE}).")
    double temperature = 0;

    @Option(names = "--top-k", paramLabel = "K", description = "Sample among the K likeliest tokens; 0 = all (default: ${DEFAULT-VALUE}).")
    int topK = 0;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling mass; 1 = off (default: ${DEFAULT-VALUE}).")
    double topP = 1;

    @Option(names = "--seed", paramLabel = "S", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Override
    public Integer call() {
        Sampler.Settings settings = new Sampler.Settings(temperature, topK, topP, seed);
        try (Phi phi = intervention.load(model)) {
            int[] ids = phi.encode(prompt);
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            out.print(prompt);
            Generator.TextStream text = new Generator.TextStream(phi::decode);
            long start = System.nanoTime();
            Generator.Result result = phi.generate(ids, maxTokens, settings, id -> {
                out.print(text.add(id));
                out.flush();
                return true;
            });
            out.println(text.finish());
            double seconds = (System.nanoTime() - start) / 1e9;
            System.err.printf("[%d prompt tokens, %d generated, %.2f s, stopped: %s]%n", ids.length,
                    result.tokens().length, seconds, result.stop().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' '));
            return 0;
        }
    }
}
