package phiscope.engine.io;

import java.nio.file.Path;

/** A model, tokenizer or config file that is missing or malformed; the message starts with the file. */
public class ModelFormatException extends RuntimeException {

    public ModelFormatException(Path file, String message) {
        super(file + ": " + message);
    }
}
