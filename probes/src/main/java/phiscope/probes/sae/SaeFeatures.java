package phiscope.probes.sae;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import phiscope.engine.Phi;
import phiscope.engine.hooks.ActivationCache;
import phiscope.engine.hooks.Hooks;
import phiscope.engine.io.JsonSyntax;
import phiscope.engine.model.PhiModel;
import phiscope.probes.Progress;
import phiscope.probes.io.ProbesJson;

/** Feature activations and reconstructions of spliced SAEs over a list of texts, as {@code phiscope sae features} writes them. */
public final class SaeFeatures {

    private static final ObjectMapper JSON = ProbesJson.MAPPER;

    /** The SAE points kept per text. */
    public static final List<String> KEPT = List.of("hook_sae_acts_pre", "hook_sae_acts_post", "hook_sae_recons");

    private SaeFeatures() {
    }

    /**
     * Runs each text with every SAE spliced in (error term kept, so each SAE sees the model's own
     * activations) and keeps {@link #KEPT} of text k as {@code s{k}.<hook>.<point>} in {@code cache}.
     */
    public static void record(Phi phi, List<SparseAutoencoder> saes, List<String> texts, ActivationCache cache, Progress progress) {
        Set<String> hooksUsed = new HashSet<>();
        for (SparseAutoencoder sae : saes) {
            if (!hooksUsed.add(sae.config().hookName())) {
                throw new IllegalArgumentException("two SAEs read " + sae.config().hookName() + "; their features would share names");
            }
        }
        for (int k = 0; k < texts.size(); k++) {
            int[] ids = phi.encode(texts.get(k));
            if (ids.length == 0) {
                throw new IllegalArgumentException("text " + (k + 1) + " is empty: there is no token to read features at");
            }
            if (ids.length > phi.config().maxPositions()) {
                throw new IllegalArgumentException("text " + (k + 1) + " is " + ids.length + " tokens long; the model's context is "
                        + phi.config().maxPositions() + " tokens: split it");
            }
            Hooks hooks = phi.newHooks();
            for (SparseAutoencoder sae : saes) {
                SaeSplice.attach(hooks, sae, SaeSplice.Output.WITH_ERROR).record(cache, "s" + k + ".", KEPT.toArray(String[]::new));
            }
            phi.model().forward(ids, hooks, PhiModel.Logits.NONE);
            progress.advance("text " + (k + 1), k + 1, texts.size());
        }
    }

    /** The texts of a JSONL file of JSON strings, one per line (blank lines are skipped); errors name the file and line. */
    public static List<String> readTexts(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": file not found");
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(lines.get(i));
            } catch (JacksonException e) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": not valid JSON (" + JsonSyntax.describe(e)
                        + "); each line is one JSON string, e.g. \"def f(x):\"");
            }
            if (node == null || !node.isTextual()) {
                throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected a JSON string, e.g. \"def f(x):\", not "
                        + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
            }
            texts.add(node.asText());
        }
        if (texts.isEmpty()) {
            throw new IllegalArgumentException(file + ": no texts (each line is one JSON string)");
        }
        return texts;
    }
}
