package phiscope.toxicity.data;

import java.nio.file.Path;

/** A dataset row that could not be used, with the line it starts on (1-based). */
public record RowProblem(Path file, int line, String message) {

    @Override
    public String toString() {
        return file.getFileName() + " line " + line + ": " + message;
    }
}
