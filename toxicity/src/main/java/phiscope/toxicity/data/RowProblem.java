package phiscope.toxicity.data;

import java.nio.file.Path;

/** A dataset row that could not be used, with the line it starts on (1-based; in a parquet file, its row number). */
public record RowProblem(Path file, int line, String message) {

    @Override
    public String toString() {
        String name = file.getFileName().toString();
        return name + (name.endsWith(".parquet") ? " row " : " line ") + line + ": " + message;
    }
}
