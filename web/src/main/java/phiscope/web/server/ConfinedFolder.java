package phiscope.web.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

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
     * The path inside this folder that {@code clientPath} names.
     *
     * @throws ApiException (400) if the path is empty, absolute, climbs with {@code ..}, or
     *     leads out of the folder through a link
     */
    public Path resolve(String clientPath) {
        if (clientPath == null || clientPath.isBlank()) {
            throw refuse(clientPath, "is empty");
        }
        if (clientPath.indexOf('\0') >= 0) {
            throw refuse(clientPath, "contains a NUL character");
        }
        // Both separators and drive letters count: a path from a browser may come from any system.
        if (clientPath.startsWith("/") || clientPath.startsWith("\\") || clientPath.matches("^[A-Za-z]:.*")
                || clientPath.startsWith("~")) {
            throw refuse(clientPath, "is absolute; give a path relative to the folder");
        }
        for (String part : clientPath.split("[/\\\\]")) {
            if (part.equals("..")) {
                throw refuse(clientPath, "climbs out with '..'");
            }
        }
        Path resolved = root.resolve(clientPath.replace('\\', '/')).normalize();
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw refuse(clientPath, "does not name a file inside the folder");
        }
        requireNoLinkOut(clientPath, resolved);
        return resolved;
    }

    /** The nearest existing ancestor (or the path itself) must really be inside the real folder. */
    private void requireNoLinkOut(String clientPath, Path resolved) {
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
                throw refuse(clientPath, "leads out of the folder through a link");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ApiException refuse(String clientPath, String why) {
        return ApiException.badRequest("the path '" + clientPath + "' " + why, Map.of("path", String.valueOf(clientPath)));
    }

    @Override
    public String toString() {
        return root.toString();
    }
}
