package phiscope.probes.steering;

import java.util.List;
import phiscope.engine.Phi;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.model.PhiModel;
import phiscope.engine.tensor.Ops;

/**
 * How much the model leans towards one kind of continuation: over {@code prompts}, the mean
 * per-token log-probability of the {@code toward} completions minus that of the {@code away}
 * completions. Steering towards a behaviour should raise it.
 */
public record BehaviourMetric(List<String> prompts, List<String> toward, List<String> away) {

    public BehaviourMetric {
        if (prompts.isEmpty() || toward.isEmpty() || away.isEmpty()) {
            throw new IllegalArgumentException("a behaviour metric needs prompts and completions towards and away from the behaviour");
        }
        prompts = List.copyOf(prompts);
        toward = List.copyOf(toward);
        away = List.copyOf(away);
    }

    /** The metric with {@code hooks} (which may steer) in every forward pass. */
    public double measure(Phi phi, Hooks hooks) {
        double total = 0;
        for (String prompt : prompts) {
            total += meanLogProb(phi, hooks, prompt, toward) - meanLogProb(phi, hooks, prompt, away);
        }
        return total / prompts.size();
    }

    private static double meanLogProb(Phi phi, Hooks hooks, String prompt, List<String> completions) {
        int[] context = phi.encode(prompt);
        double sum = 0;
        for (String completion : completions) {
            int[] tail = phi.encode(completion);
            if (context.length == 0 || tail.length == 0) {
                throw new IllegalArgumentException("prompts and completions of a behaviour metric must not be empty");
            }
            int[] ids = new int[context.length + tail.length];
            System.arraycopy(context, 0, ids, 0, context.length);
            System.arraycopy(tail, 0, ids, context.length, tail.length);
            float[] logits = phi.model().forward(ids, hooks, PhiModel.Logits.ALL);
            int vocab = phi.config().vocabSize();
            double logProb = 0;
            for (int t = context.length; t < ids.length; t++) {
                int row = (t - 1) * vocab;
                logProb += logits[row + ids[t]] - Ops.logSumExp(logits, row, vocab);
            }
            sum += logProb / tail.length;
        }
        return sum / completions.size();
    }
}
