package phiscope.toxicity.data;

import java.io.PrintWriter;
import java.util.List;

/** What to do when a dataset has rows with missing fields or wrong types: the user's choice. */
public enum BadRowPolicy {
    /** Leave the bad rows out, list them, and go on. */
    SKIP,
    /** Refuse the dataset, listing the bad rows. */
    STOP;

    private static final int LISTED = 20;

    /** The usable rows, after reporting the bad ones to {@code report}; throws under STOP. */
    public <T> List<T> apply(Rows<T> rows, PrintWriter report) {
        List<RowProblem> problems = rows.problems();
        if (problems.isEmpty()) return rows.rows();
        String listing = list(problems);
        if (this == STOP) {
            throw new DatasetException(problems.size() + " bad row(s); fix them or pass --bad-rows=skip to leave them out:"
                    + System.lineSeparator() + listing);
        }
        report.println("skipping " + problems.size() + " bad row(s):" + System.lineSeparator() + listing);
        report.flush();
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
