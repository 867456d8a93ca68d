package phiscope.toxicity.data;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/** What to do when a dataset has rows with missing fields or wrong types: the user's choice. */
public enum BadRowPolicy {
    /** Leave the bad rows out, list them, and go on. */
    SKIP,
    /** Refuse the dataset, listing the bad rows. */
    STOP;

    private static final int LISTED = 20;

    /**
     * The usable rows, after reporting the bad ones to {@code report}; throws under STOP, and when
     * no row is left. {@code howToSkip} tells the user how to choose SKIP where they are, such as
     * "pass --bad-rows=skip".
     */
    public <T> List<T> apply(Rows<T> rows, PrintWriter report, String howToSkip) {
        List<RowProblem> problems = rows.problems();
        if (!problems.isEmpty()) {
            String listing = list(problems);
            if (this == STOP) {
                throw new DatasetException(problems.size() + " bad row(s); fix them or " + howToSkip + " to leave them out:"
                        + System.lineSeparator() + listing);
            }
            report.println("skipping " + problems.size() + " bad row(s):" + System.lineSeparator() + listing);
            report.flush();
        }
        if (rows.rows().isEmpty()) {
            String files = rows.files().stream().map(Path::getFileName).map(Path::toString).collect(Collectors.joining(", "));
            throw new DatasetException(files + (problems.isEmpty() ? ": no rows to audit" : ": every row is bad, so none is left to audit"));
        }
        return rows.rows();
    }

    private static String list(List<RowProblem> problems) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < Math.min(LISTED, problems.size()); i++) {
            text.append("  ").append(problems.get(i)).append(System.lineSeparator());
        }
        if (problems.size() > LISTED) {
            text.append("  ... and ").append(problems.size() - LISTED).append(" more").append(System.lineSeparator());
        }
        return text.toString().stripTrailing();
    }
}
