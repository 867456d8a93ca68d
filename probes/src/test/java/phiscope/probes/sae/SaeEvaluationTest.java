package phiscope.probes.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import phiscope.engine.Phi;
import phiscope.probes.Nanophi;
import phiscope.probes.Progress;

/** The evaluation's metrics on two SAEs whose answers are known: one that reconstructs exactly, one that outputs zero. */
class SaeEvaluationTest {

    private static final String HOOK = "blocks.1.hook_resid_post";
    private static final String TEXT = "import os\n\ndef main():\n    for name in os.listdir('.'):\n        print(name.upper())\n";

    /** W_enc = [I, −I], W_dec = [I; −I]: features ReLU(x) and ReLU(−x), whose difference is x, exactly. */
    private static SparseAutoencoder splitSigns(Path dir, float decoderScale) {
        int d = Nanophi.phi().config().hiddenSize();
        float[][] enc = new float[d][2 * d];
        float[][] dec = new float[2 * d][d];
        for (int i = 0; i < d; i++) {
            enc[i][i] = 1f;
            enc[i][d + i] = -1f;
            dec[i][i] = decoderScale;
            dec[d + i][i] = -decoderScale;
        }
        Map<String, float[][]> tensors = new LinkedHashMap<>();
        tensors.put("W_enc", enc);
        tensors.put("W_dec", dec);
        tensors.put("b_dec", SaeFolders.vector(new float[d]));
        tensors.put("b_enc", SaeFolders.vector(new float[2 * d]));
        ObjectNode cfg = SaeFolders.config("standard", d, 2 * d, HOOK);
        return SparseAutoencoder.load(SaeFolders.write(dir, cfg, tensors));
    }

    private static SaeEvaluation evaluate(SparseAutoencoder sae, Path dir) throws IOException {
        Path corpus = Files.writeString(dir.resolve("corpus.py"), TEXT);
        Phi phi = Nanophi.phi();
        return SaeEvaluation.run(phi, sae, Corpus.open(corpus, phi::encode, 64), 10_000, Progress.NONE);
    }

    @Test
    void aSaeThatReconstructsExactlyLosesNothing(@TempDir Path dir) throws IOException {
        SaeEvaluation e = evaluate(splitSigns(dir.resolve("exact"), 1f), dir);
        int d = Nanophi.phi().config().hiddenSize();
        assertEquals(Nanophi.phi().encode(TEXT).length, e.tokens());
        assertEquals(1.0, e.explainedVariance());
        assertEquals(0.0, e.meanSquaredError());
        assertEquals(e.ceClean(), e.ceSae());
        assertEquals(1.0, e.ceLossScore());
        assertEquals(0.0, e.klSae());
        assertEquals(1.0, e.klScore());
        assertEquals(d, e.l0(), 1e-9, "one of ReLU(x), ReLU(-x) is non-zero in every dimension");
        assertEquals(countNeverFiring(e), e.deadFeatures(), "dead features are the ones that never fired");
    }

    @Test
    void aSaeThatOutputsZeroIsTheZeroAblation(@TempDir Path dir) throws IOException {
        SaeEvaluation e = evaluate(splitSigns(dir.resolve("zero"), 0f), dir);
        assertEquals(e.ceAblated(), e.ceSae(), 1e-6);
        assertEquals(0.0, e.ceLossScore(), 1e-6);
        assertEquals(0.0, e.klScore(), 1e-6);
        assertEquals(e.klAblated(), e.klSae(), 1e-9);
    }

    private static int countNeverFiring(SaeEvaluation e) {
        int n = 0;
        for (double density : e.density()) {
            n += density == 0 ? 1 : 0;
        }
        return n;
    }
}
