package phiscope.probes.sae;

import java.util.Arrays;
import phiscope.engine.Phi;
import phiscope.engine.hooks.HookPoint;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.tensor.Ops;
import phiscope.probes.Progress;

/**
 * How good a SAE is on a corpus, as SAELens's {@code evals.py} measures it: sparsity (L0),
 * reconstruction (explained variance, mean squared error) and what the model loses when it runs on
 * the reconstruction: next-token cross-entropy with the SAE spliced in, clean, and with the hook's
 * activation zero-ablated, and the KL divergence of the spliced and ablated models from the clean
 * one. Dead features never fire on the corpus; dense ones fire on more than {@link #DENSE} of its
 * tokens.
 *
 * @param meanSquaredError  mean over tokens and dimensions of (x − x̂)²
 * @param explainedVariance 1 − Σ‖x − x̂‖² / Σ‖x − x̄‖² (x̄ the per-dimension mean over the corpus)
 * @param ceLossScore       (CE_ablated − CE_sae) / (CE_ablated − CE_clean): 1 when the SAE loses nothing
 * @param klScore           (KL_ablated − KL_sae) / KL_ablated
 * @param density           per feature, the share of tokens it fires on
 */
public record SaeEvaluation(long tokens, double l0, double meanSquaredError, double explainedVariance, double ceClean,
        double ceSae, double ceAblated, double ceLossScore, double klSae, double klAblated, double klScore, int deadFeatures,
        int denseFeatures, double[] density) {

    /** A feature firing on more than this share of tokens is counted as dense. */
    public static final double DENSE = 0.1;

    /** Evaluates {@code sae} on up to {@code maxTokens} tokens of {@code corpus}. */
    public static SaeEvaluation run(Phi phi, SparseAutoencoder sae, Corpus corpus, long maxTokens, Progress progress) {
        HookPoint host = HookPoint.parse(sae.config().hookName(), phi.config());
        int dIn = sae.dIn();
        int dSae = sae.dSae();
        long[] fires = new long[dSae];
        double[] sum = new double[dIn];
        double sumSquares = 0;
        double squaredError = 0;
        long active = 0;
        long tokens = 0;
        long predicted = 0;
        double ceClean = 0;
        double ceSae = 0;
        double ceAblated = 0;
        double klSae = 0;
        double klAblated = 0;
        int vocabulary = phi.config().vocabSize();
        int[] window;
        while (tokens < maxTokens && (window = corpus.next()) != null) {
            if (window.length > maxTokens - tokens) {
                window = Arrays.copyOf(window, (int) Math.max(2, maxTokens - tokens));
            }
            int rows = window.length;
            float[][] captured = new float[2][];
            Hooks cleanHooks = phi.newHooks();
            cleanHooks.observe(host, a -> captured[0] = a.copy());
            float[] clean = phi.run(window, cleanHooks);

            Hooks saeHooks = phi.newHooks();
            SaeSplice splice = SaeSplice.attach(saeHooks, sae, SaeSplice.Output.RECONSTRUCTION);
            splice.observe("hook_sae_acts_post", a -> {
                float[] acts = a.data();
                for (int i = 0; i < rows * dSae; i++) {
                    if (acts[a.offset() + i] > 0f) {
                        fires[i % dSae]++;
                    }
                }
            });
            saeHooks.observe(host, a -> captured[1] = a.copy());
            float[] spliced = phi.run(window, saeHooks);

            Hooks ablatedHooks = phi.newHooks();
            ablatedHooks.add(host, a -> Arrays.fill(a.data(), a.offset(), a.offset() + a.size(), 0f));
            float[] ablated = phi.run(window, ablatedHooks);

            float[] x = captured[0];
            float[] reconstruction = captured[1];
            for (int t = 0; t < rows; t++) {
                for (int i = 0; i < dIn; i++) {
                    double v = x[t * dIn + i];
                    double e = v - reconstruction[t * dIn + i];
                    sum[i] += v;
                    sumSquares += v * v;
                    squaredError += e * e;
                }
            }
            for (int t = 0; t + 1 < rows; t++) {
                int next = window[t + 1];
                int offset = t * vocabulary;
                float cleanNorm = Ops.logSumExp(clean, offset, vocabulary);
                float saeNorm = Ops.logSumExp(spliced, offset, vocabulary);
                float ablatedNorm = Ops.logSumExp(ablated, offset, vocabulary);
                ceClean += cleanNorm - clean[offset + next];
                ceSae += saeNorm - spliced[offset + next];
                ceAblated += ablatedNorm - ablated[offset + next];
                klSae += kl(clean, cleanNorm, spliced, saeNorm, offset, vocabulary);
                klAblated += kl(clean, cleanNorm, ablated, ablatedNorm, offset, vocabulary);
                predicted++;
            }
            tokens += rows;
            progress.advance(tokens + " tokens", (int) Math.min(tokens, Integer.MAX_VALUE), (int) Math.min(maxTokens, Integer.MAX_VALUE));
        }
        if (tokens == 0) {
            throw new IllegalArgumentException(corpus.root() + ": no windows of at least 8 tokens to evaluate on");
        }
        double meanSquares = 0;
        for (double s : sum) {
            meanSquares += (s / tokens) * (s / tokens);
        }
        double totalVariance = sumSquares - tokens * meanSquares;
        double[] density = new double[dSae];
        int dead = 0;
        int dense = 0;
        for (int f = 0; f < dSae; f++) {
            active += fires[f];
            density[f] = (double) fires[f] / tokens;
            dead += fires[f] == 0 ? 1 : 0;
            dense += density[f] > DENSE ? 1 : 0;
        }
        double n = predicted;
        return new SaeEvaluation(tokens, (double) active / tokens, squaredError / tokens / dIn, 1 - squaredError / totalVariance,
                ceClean / n, ceSae / n, ceAblated / n, (ceAblated - ceSae) / (ceAblated - ceClean), klSae / n, klAblated / n,
                (klAblated - klSae) / klAblated, dead, dense, density);
    }

    /** KL(p ‖ q) of two rows of logits, given their log-normalisers. */
    private static double kl(float[] p, float pNorm, float[] q, float qNorm, int offset, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double logP = p[offset + i] - pNorm;
            double logQ = q[offset + i] - qNorm;
            s += Math.exp(logP) * (logP - logQ);
        }
        return s;
    }
}
