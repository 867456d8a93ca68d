package phiscope.engine.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see the old one or the whole new one, never a part: the bytes
 * go to a temporary file beside it, which is moved into place when complete and deleted on any
 * failure (the old file, if there was one, is left as it was).
 */
public final class AtomicWrite {

    /** Writes the temporary file it is given, which already exists and is empty. */
    @FunctionalInterface
    public interface Writer {
        void write(Path partial) throws IOException;
    }

    private AtomicWrite() {
    }

    /** @throws UncheckedIOException saying which path cannot be written and why */
    public static void replace(Path file, Writer writer) {
        Path target = file.toAbsolutePath();
        Path folder = target.getParent();
        if (Files.isDirectory(target)) {
            throw new UncheckedIOException(new IOException("cannot write " + file + ": it is a directory; give a file name"));
        }
        if (!Files.isDirectory(folder)) {
            throw new UncheckedIOException(new IOException("cannot write " + file + ": the folder " + folder
                    + (Files.exists(folder) ? " is not a directory" : " does not exist (create it first)")));
        }
        // Not Files.createTempFile: its owner-only permissions would stay with the finished file.
        Path partial = folder.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".partial");
        try {
            Files.createFile(partial);
        } catch (AccessDeniedException e) {
            throw new UncheckedIOException("cannot write " + file + ": no permission to create files in " + folder, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        try {
            writer.write(partial);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e instanceof IOException io ? new UncheckedIOException("cannot write " + file + ": " + io.getMessage(), io)
                    : (RuntimeException) e;
        }
    }
}
