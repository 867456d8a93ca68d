package phiscope.engine.io;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The engine's one JSON mapper: model folders' files (config.json, the shard index,
 * tokenizer.json, safetensors headers) and the commands' JSON output. Text after the JSON value
 * is an error, so a file holding two documents, or a value with garbage after it, is refused
 * rather than half read.
 */
public final class EngineJson {

    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private EngineJson() {
    }
}
