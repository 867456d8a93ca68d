package phiscope.probes.sae;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import phiscope.engine.Phi;
import phiscope.probes.Nanophi;
import phiscope.probes.Progress;

/**
 * The SAE shipped with nanophi-py (trained by {@code phiscope sae train} on CPython's standard
 * library, see probes/README.md) meets the quality bar on Python it never saw: PyYAML's sources
 * as Debian installs them.
 */
class ShippedSaeTest {

    static final Path SHIPPED = Path.of("../models/nanophi-py/saes/python-topk32-resid2");
    private static final Path HELD_OUT = Path.of("/usr/lib/python3/dist-packages/yaml");

    @Test
    void explainsAtLeast85PercentOfHeldOutPythonWithAtMostOnePercentDeadFeatures() {
        assumeTrue(Files.isDirectory(HELD_OUT), HELD_OUT + " is absent (Debian's python3-yaml); the held-out check needs it");
        Phi phi = Nanophi.phi();
        SparseAutoencoder sae = SparseAutoencoder.load(SHIPPED);
        SaeEvaluation e = SaeEvaluation.run(phi, sae, Corpus.open(HELD_OUT, phi::encode, 128), 20_000, Progress.NONE);
        assertEquals(20_000, e.tokens());
        assertEquals(32.0, e.l0(), 1e-9);
        assertTrue(e.explainedVariance() >= 0.85, "explained variance " + e.explainedVariance());
        assertTrue(e.deadFeatures() <= sae.dSae() / 100, e.deadFeatures() + " dead features of " + sae.dSae());
        assertTrue(e.ceClean() < e.ceSae() && e.ceSae() < e.ceAblated(), "CE clean " + e.ceClean() + ", with the SAE " + e.ceSae()
                + ", ablated " + e.ceAblated());
    }
}
