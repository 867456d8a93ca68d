package phiscope.toxicity.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import phiscope.probes.intervention.InterventionStamp;
import phiscope.toxicity.ReproducibleJson;

/**
 * What a run folder was made for. A run resumes only with the same benchmark, model id, intervention
 * (by checksum; absent when the model ran unedited), dataset checksum and settings; the number of items and the versions are recorded for the reader, not
 * compared (the items follow from dataset and settings). {@code items} is empty in manifests
 * written before it was recorded. {@code distributed} lists the sessions that scored the run on a
 * cluster (e.g. {@code {"on": "spark", "master": "local[2]", "partitions": 4}}), for the reader
 * too: where a block was scored does not change its numbers, so it is not compared either; it is
 * left out of the file when empty, so a single-machine run's manifest is what it always was.
 */
public record Manifest(String benchmark, String model, Optional<InterventionStamp> intervention, DatasetDigest dataset,
                       JsonNode settings, OptionalInt items, JsonNode versions, List<JsonNode> distributed) {

    public Manifest {
        distributed = List.copyOf(distributed);
    }

    public static Manifest of(String benchmark, String model, Optional<InterventionStamp> intervention, DatasetDigest dataset,
                              JsonNode settings, int items) {
        ObjectNode versions = ReproducibleJson.object()
                .put("phiscope", phiscopeVersion())
                .put("java", Runtime.version().toString());
        return new Manifest(benchmark, model, intervention, dataset, settings, OptionalInt.of(items), versions, List.of());
    }

    /** This manifest with one more distributed session. */
    public Manifest withDistributed(JsonNode session) {
        List<JsonNode> sessions = new ArrayList<>(distributed);
        sessions.add(session);
        return new Manifest(benchmark, model, intervention, dataset, settings, items, versions, sessions);
    }

    /** What differs between the run folder's manifest (this) and the requested run, one line each. */
    public List<String> differencesFrom(Manifest requested) {
        List<String> differences = new ArrayList<>();
        if (!benchmark.equals(requested.benchmark)) {
            differences.add("benchmark: the folder holds a " + benchmark + " run, not " + requested.benchmark);
        }
        if (!model.equals(requested.model)) {
            differences.add("model: the folder was made with \"" + model + "\", not \"" + requested.model + "\"");
        }
        if (!intervention.map(InterventionStamp::sha256).equals(requested.intervention.map(InterventionStamp::sha256))) {
            differences.add("intervention: the folder was made " + describe(intervention) + ", not " + describe(requested.intervention));
        }
        if (!dataset.sha256().equals(requested.dataset.sha256())) {
            differences.add("dataset: the folder was made for " + dataset.path() + " (sha256 " + dataset.sha256()
                    + "), not " + requested.dataset.path() + " (sha256 " + requested.dataset.sha256() + ")");
        }
        if (!settings.equals(requested.settings)) {
            differences.add("settings: the folder was made with " + settings + ", not " + requested.settings);
        }
        return differences;
    }

    private static String describe(Optional<InterventionStamp> intervention) {
        return intervention.map(i -> "with --intervention " + i.file() + " (sha256 " + i.sha256() + ")").orElse("without an intervention");
    }

    public ObjectNode toJson() {
        ObjectNode node = ReproducibleJson.object();
        node.put("benchmark", benchmark);
        node.put("model", model);
        intervention.ifPresent(i -> i.into(node.putObject("intervention")));
        node.set("dataset", dataset.toJson());
        node.set("settings", settings);
        items.ifPresent(n -> node.put("items", n));
        node.set("versions", versions);
        if (!distributed.isEmpty()) node.putArray("distributed").addAll(distributed);
        return node;
    }

    public static Manifest fromJson(JsonNode node) {
        JsonNode items = node.path("items");
        List<JsonNode> distributed = new ArrayList<>();
        node.path("distributed").forEach(distributed::add);
        return new Manifest(node.path("benchmark").asText(), node.path("model").asText(), InterventionStamp.fromManifest(node),
                DatasetDigest.fromJson(node.path("dataset")), node.path("settings"),
                items.canConvertToInt() ? OptionalInt.of(items.intValue()) : OptionalInt.empty(), node.path("versions"),
                distributed);
    }

    private static String phiscopeVersion() {
        try (InputStream in = Manifest.class.getResourceAsStream("/phiscope/toxicity/version.properties")) {
            if (in == null) return "unknown";
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
