package phiscope.probes.io;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The probes module's one JSON mapper: probing datasets, saved probes and steering vectors, SAE
 * configs and checkpoints, and the commands' output. As the engine's, it refuses text after the
 * JSON value, so a JSONL line holding two objects is an error rather than its first half.
 */
public final class ProbesJson {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ProbesJson() {
    }
}
