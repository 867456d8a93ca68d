package phiscope.toxicity;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Files that are either absent or complete: written beside their target, then moved over it. */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    public static void writeJson(Path target, JsonNode content) throws IOException {
        writeString(target, ReproducibleJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(content) + "\n");
    }

    public static void writeString(Path target, String content) throws IOException {
        writeBytes(target, content.getBytes(StandardCharsets.UTF_8));
    }

    public static void writeBytes(Path target, byte[] content) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        Files.write(temporary, content);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
