package phiscope.web.sae;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import phiscope.engine.Phi;
import phiscope.engine.io.JsonSyntax;
import phiscope.engine.io.ModelFormatException;
import phiscope.probes.io.ProbesJson;
import phiscope.probes.sae.SaeConfig;
import phiscope.probes.sae.SaeSplice;
import phiscope.probes.sae.SparseAutoencoder;
import phiscope.web.server.ApiException;

/**
 * The SAEs a workbench offers: every SAELens folder ({@code cfg.json} + {@code
 * sae_weights.safetensors}) directly under its saes folder, named by the folder's name. Each is
 * loaded when first used and then kept: a 16k-feature SAE on Phi-2 holds 335 MB of weights, too
 * much to read per request. Its feature pages are the {@code dashboards.json} that {@code phiscope
 * sae dashboard --out} wrote into the same folder, read once when first asked for.
 */
public final class SaeLibrary {

    /** One SAE as the picker shows it; {@code error} says why one the folder holds cannot be used with this model. */
    public record SaeInfo(String name, String hook, String architecture, int dIn, int dSae, int k, boolean dashboards,
                          String error) {
    }

    public record Listing(String folder, List<SaeInfo> saes) {
    }

    static final String DASHBOARDS = "dashboards.json";

    private final Phi phi;
    private final Path folder;
    private final Map<String, SparseAutoencoder> loaded = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> dashboards = new ConcurrentHashMap<>();

    public SaeLibrary(Phi phi, Path folder) {
        this.phi = phi;
        this.folder = folder;
    }

    public Listing list() {
        if (!Files.isDirectory(folder)) {
            return new Listing(folder.toString(), List.of());
        }
        try (Stream<Path> children = Files.list(folder)) {
            return new Listing(folder.toString(), children.filter(child -> Files.isRegularFile(child.resolve("cfg.json")))
                    .map(child -> child.getFileName().toString()).sorted().map(this::describe).toList());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    private SaeInfo describe(String name) {
        try {
            SaeConfig config = sae(name).config();
            return new SaeInfo(name, config.hookName(), config.architecture().name().toLowerCase(java.util.Locale.ROOT),
                    config.dIn(), config.dSae(), config.k(), Files.isRegularFile(folder.resolve(name).resolve(DASHBOARDS)), null);
        } catch (ApiException e) {
            return new SaeInfo(name, null, null, 0, 0, 0, false, e.getMessage());
        }
    }

    /** The SAE named {@code name}, refused (400, field {@code sae}) if the folder has none such or it does not fit this model. */
    public SparseAutoencoder sae(String name) {
        if (name == null || name.isEmpty()) {
            throw ApiException.badRequest("field 'sae' is required: the name of a SAE in " + folder, Map.of("field", "sae"));
        }
        SparseAutoencoder known = loaded.get(name);
        if (known != null) {
            return known;
        }
        // a name is one folder of the saes folder, never a path that leads elsewhere (or back in by another spelling)
        boolean plain = !name.contains("/") && !name.contains("\\") && !name.equals(".") && !name.equals("..");
        Path sae = folder.resolve(plain ? name : ".");
        if (!plain || !Files.isRegularFile(sae.resolve("cfg.json"))) {
            throw ApiException.badRequest("field 'sae': there is no SAE '" + name + "' in the saes folder (GET /api/saes lists them)",
                    Map.of("field", "sae"));
        }
        try {
            SparseAutoencoder read = SparseAutoencoder.load(sae);
            // refuses a hook this model does not have, or a d_in that does not match it
            SaeSplice.attach(phi.newHooks(), read, SaeSplice.Output.WITH_ERROR);
            loaded.put(name, read);
            return read;
        } catch (IllegalArgumentException | ModelFormatException | UncheckedIOException e) {
            throw ApiException.badRequest("field 'sae': '" + name + "' cannot be used: " + e.getMessage(), Map.of("field", "sae"));
        }
    }

    /** The stored feature pages of SAE {@code name}; 404 with the command that builds them when there are none. */
    public JsonNode dashboards(String name) {
        sae(name);
        return dashboards.computeIfAbsent(name, n -> {
            Path file = folder.resolve(n).resolve(DASHBOARDS);
            if (!Files.isRegularFile(file)) {
                throw new ApiException(404, "the SAE '" + n + "' has no dashboards yet: build them with phiscope sae dashboard --sae "
                        + folder.resolve(n) + " --corpus TEXTS --out " + folder.resolve(n), Map.of("field", "sae"));
            }
            try {
                JsonNode read = ProbesJson.MAPPER.readTree(file.toFile());
                if (!read.path("features").isArray() || read.path("features").size() != sae(n).dSae()) {
                    throw new ApiException(500, file + " does not hold one page per feature of the SAE (" + sae(n).dSae()
                            + "); build it again with phiscope sae dashboard", Map.of());
                }
                return read;
            } catch (JacksonException e) {
                throw new ApiException(500, file + " is not valid JSON: " + JsonSyntax.describe(e), Map.of());
            } catch (IOException e) {
                throw new ApiException(500, "cannot read " + file + ": " + e.getMessage(), Map.of());
            }
        });
    }
}
