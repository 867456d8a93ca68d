package phiscope.web.server;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A folder that clients may name files in (the audit run folder, the dataset folder). A client
 * gives a relative path; it may not be absolute, may not climb out with {@code ..}, and may not
 * leave through a symbolic link. What it names need not exist yet.
 */
public final class ConfinedFolder {

    private final Path root;

    private ConfinedFolder(Path root) {
        this.root = root;
    }

    public static ConfinedFolder of(Path folder) {
        return new ConfinedFolder(folder.toAbsolutePath().normalize());
    }

    public Path root() {
        return root;
    }

    /**
     * The path inside this folder that {@code clientPath}, the request's {@code field}, names.
     *
     * @throws ApiException (400, naming the field) if the path is missing or empty, absolute,
     *     climbs with {@code ..}, or leads out of the folder through a link
     */
    public Path resolve(String field, String clientPath) {
        if (clientPath == null) {
            throw ApiException.badRequest("field '" + field + "' is required", Map.of("field", field));
        }
        if (clientPath.isBlank()) {
            throw refuse(field, clientPath, "is empty");
        }
        if (clientPath.indexOf('\0') >= 0) {
            throw refuse(field, clientPath, "contains a NUL character");
        }
        // Both separators and drive letters count: a path from a browser may come from any system.
        if (clientPath.startsWith("/") || clientPath.startsWith("\\") || clientPath.matches("^[A-Za-z]:.*")
                || clientPath.startsWith("~")) {
            throw refuse(field, clientPath, "is absolute; give a path relative to the folder");
        }
        for (String part : clientPath.split("[/\\\\]")) {
            if (part.equals("..")) {
                throw refuse(field, clientPath, "climbs out with '..'");
            }
        }
        Path resolved = root.resolve(clientPath.replace('\\', '/')).normalize();
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw refuse(field, clientPath, "does not name a file inside the folder");
        }
        requireNoLinkOut(field, clientPath, resolved);
        return resolved;
    }

    /** The nearest existing ancestor (or the path itself) must really be inside the real folder. */
    private void requireNoLinkOut(String field, String clientPath, Path resolved) {
        if (!Files.exists(root)) {
            return;
        }
        Path existing = resolved;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            Path realRoot = root.toRealPath();
            if (existing != null && !existing.toRealPath().startsWith(realRoot)) {
                throw refuse(field, clientPath, "leads out of the folder through a link");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ApiException refuse(String field, String clientPath, String why) {
        return ApiException.badRequest("field '" + field + "': the path '" + clientPath + "' " + why,
                Map.of("field", field, "path", clientPath));
    }

    /** The path of {@code file} relative to this folder with '/' separators, as a client names it; empty if it lies outside. */
    public Optional<String> relativize(Path file) {
        Path normalized = file.toAbsolutePath().normalize();
        if (!normalized.startsWith(root) || normalized.equals(root)) {
            return Optional.empty();
        }
        return Optional.of(root.relativize(normalized).toString().replace(File.separatorChar, '/'));
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
