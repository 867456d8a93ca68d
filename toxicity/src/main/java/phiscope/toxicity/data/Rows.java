package phiscope.toxicity.data;

import java.nio.file.Path;
import java.util.List;

/**
 * What a dataset reader found: the usable rows in file order, the rows it could not use, and the
 * files it read (their checksums identify the dataset in run manifests).
 */
public record Rows<T>(List<T> rows, List<RowProblem> problems, List<Path> files) {

    public Rows {
        rows = List.copyOf(rows);
        problems = List.copyOf(problems);
        files = List.copyOf(files);
    }
}
