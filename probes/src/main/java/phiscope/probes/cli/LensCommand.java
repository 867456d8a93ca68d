package phiscope.probes.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import phiscope.engine.Phi;
import phiscope.engine.cli.ModelOptions;
import phiscope.engine.hooks.IndexSlice;
import phiscope.probes.lens.DirectLogitAttribution;
import phiscope.probes.lens.LogitLens;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "lens", description = {
    "The logit lens: the residual stream after the embedding and after every block, decoded as if it were the last.",
    "At every position, unembed(ln_final(resid)) gives the top-k tokens and the rank and probability of --target. "
        + "With --versus, also the direct logit attribution of logit(target) - logit(versus) at the last position "
        + "to every head, attention bias and MLP."})
public final class LensCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    InterventionOption intervention;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The text to read.")
    String prompt;

    @Option(names = "--top-k", paramLabel = "K", description = "Tokens listed per cell (default: ${DEFAULT-VALUE}).")
    int topK = 5;

    @Option(names = "--target", paramLabel = "TOKEN", description = "A token (one token of text, e.g. ' return') to track.")
    String target;

    @Option(names = "--versus", paramLabel = "TOKEN", description = "With --target: attribute logit(target) - logit(versus).")
    String versus;

    @Option(names = "--positions", paramLabel = "SLICE", description = "Positions in the detailed table, e.g. -1, 0:4, -3: (default: ${DEFAULT-VALUE}).")
    String positions = "-1";

    @Option(names = "--out", paramLabel = "FILE", description = "Write the detailed table: .json or .csv.")
    Path out;

    @Override
    public Integer call() {
        if (versus != null && target == null) {
            throw new IllegalArgumentException("--versus needs --target");
        }
        try (Phi phi = intervention.load(model)) {
            int[] tokens = phi.encode(prompt);
            if (tokens.length == 0) {
                throw new IllegalArgumentException("the prompt is empty");
            }
            int targetId = target == null ? -1 : Tokens.single(phi, target, "--target");
            int[] all = IndexSlice.ALL.resolve(tokens.length, "position");
            LogitLens.Result grid = LogitLens.run(phi.model(), tokens, all, 1, phi.vocabularyLimit(), targetId, id -> Tokens.text(phi, id));
            Output.print(grid.grid());
            LogitLens.Result detail = LogitLens.run(phi.model(), tokens, IndexSlice.parse(positions).resolve(tokens.length, "position"),
                    topK, phi.vocabularyLimit(), targetId, id -> Tokens.text(phi, id));
            Output.print(detail.table());
            if (versus != null) {
                DirectLogitAttribution.Result dla = DirectLogitAttribution.compute(phi.model(), tokens, tokens.length - 1, targetId,
                        Tokens.single(phi, versus, "--versus"));
                Output.print(dla.table());
            }
            if (out != null) {
                Output.write(out, detail.table(), null);
            }
            return 0;
        }
    }
}
