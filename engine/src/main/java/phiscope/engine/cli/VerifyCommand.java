package phiscope.engine.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import phiscope.engine.model.Parity;
import phiscope.engine.model.PhiModel;
import phiscope.engine.model.Verifier;
import phiscope.engine.model.WeightOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "verify", description = {
    "Compare the engine with a Hugging Face reference file: every activation, the logits, the greedy continuation and the KV-cached decode.",
    "Prints one line per tensor and a PASS/FAIL summary; exit code 1 on FAIL."})
public final class VerifyCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(names = "--reference", required = true, paramLabel = "FILE", description = "Reference safetensors (s{k}.<hook name> tensors).")
    Path reference;

    @Option(names = "--tolerance", paramLabel = "X", description = "Max abs error of activations (default: ${DEFAULT-VALUE}).")
    double tolerance = Verifier.Tolerances.DEFAULT.activations();

    @Option(names = "--logits-tolerance", paramLabel = "X", description = "Max abs error of logits (default: ${DEFAULT-VALUE}).")
    double logitsTolerance = Verifier.Tolerances.DEFAULT.logits();

    @Override
    public Integer call() {
        WeightOptions options = model.weightOptions();
        try (PhiModel phi = PhiModel.load(model.directory(), model.threads(), options)) {
            if (options.quantization().isPresent()) {
                // Quantized weights approximate the model: report how closely, not a float32 verdict.
                System.out.println("verify: weights quantized to " + options.quantization().get().label()
                        + ", an approximation: measuring parity instead of float32 agreement");
                System.out.println(Parity.measure(phi, reference).summary());
                return 0;
            }
            Verifier.Tolerances tolerances = new Verifier.Tolerances(tolerance, logitsTolerance,
                    Verifier.Tolerances.DEFAULT.greedyMargin());
            Verifier.Report report = new Verifier(phi, tolerances).verify(reference, System.out::println);
            System.out.println(report.summary());
            return report.passed() ? 0 : 1;
        }
    }
}
