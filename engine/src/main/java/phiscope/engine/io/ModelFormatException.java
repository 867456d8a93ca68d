package phiscope.engine.io;

import java.nio.file.Path;

/** A model, tokenizer or reference file that cannot be used as it is; the message names the file and what is wrong. */
public class ModelFormatException extends RuntimeException {

    private final Path file;

    public ModelFormatException(Path file, String message) {
        super(file + ": " + message);
        this.file = file;
    }

    public ModelFormatException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
