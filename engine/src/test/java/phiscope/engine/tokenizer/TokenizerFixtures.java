package phiscope.engine.tokenizer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The Phi-2 tokenizer files and the reference cases made with Hugging Face tokenizers. */
final class TokenizerFixtures {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The same tokenizer with merges as ["a","b"] pairs and as legacy "a b" strings. */
    static final List<String> PHI2_FILES = List.of("tokenizer.json", "tokenizer-legacy-merges.json");

    /** {@code ids = encode(text, add_special_tokens=False)}, {@code decoded = decode(ids)}. */
    record ReferenceCase(String kind, String text, int[] ids, String decoded) {
    }

    private static final Map<String, Tokenizer> LOADED = new ConcurrentHashMap<>();
    private static List<ReferenceCase> referenceCases;

    private TokenizerFixtures() {
    }

    static Path resource(String name) {
        URL url = TokenizerFixtures.class.getResource("/fixtures/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test resource fixtures/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path phi2File(String fileName) {
        return resource("tokenizer/" + fileName);
    }

    /** A Phi-2 tokenizer, loaded once per test run. */
    static Tokenizer phi2(String fileName) {
        return LOADED.computeIfAbsent(fileName, name -> Tokenizer.load(phi2File(name)));
    }

    static Tokenizer phi2() {
        return phi2(PHI2_FILES.getFirst());
    }

    static JsonNode phi2Json() {
        return readJson(phi2File(PHI2_FILES.getFirst()));
    }

    static synchronized List<ReferenceCase> referenceCases() {
        if (referenceCases == null) {
            try {
                referenceCases = JSON.readValue(resource("tokenizer-cases.json").toFile(), new TypeReference<>() {
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return referenceCases;
    }

    static JsonNode readJson(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
