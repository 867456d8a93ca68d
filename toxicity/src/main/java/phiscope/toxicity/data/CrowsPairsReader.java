package phiscope.toxicity.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads crows_pairs_anonymized.csv (columns found by their header names). */
public final class CrowsPairsReader {

    private static final List<String> REQUIRED = List.of("sent_more", "sent_less", "stereo_antistereo", "bias_type");

    private CrowsPairsReader() {
    }

    public static Rows<CrowsPair> read(Path file) {
        CsvRecords.Parsed parsed = CsvRecords.parse(DatasetFiles.readText(file));
        if (parsed.records().isEmpty() && parsed.unterminated() != null) {
            throw new DatasetException(file.getFileName() + " line " + parsed.unterminated().line()
                    + ": a quoted field is not closed before the end of the file");
        }
        if (parsed.records().isEmpty()) {
            throw new DatasetException(file.getFileName() + " is empty; a CrowS-Pairs file starts with a header line naming its "
                    + "columns (" + String.join(", ", REQUIRED) + ")");
        }
        if (parsed.records().size() == 1 && parsed.unterminated() == null) {
            throw new DatasetException(file.getFileName() + " has its header (line " + parsed.records().getFirst().line()
                    + ") but no pairs after it");
        }
        List<String> header = parsed.records().getFirst().fields();
        int[] columns = new int[REQUIRED.size()];
        for (int k = 0; k < columns.length; k++) {
            columns[k] = header.indexOf(REQUIRED.get(k));
            if (columns[k] < 0) {
                throw new DatasetException(file.getFileName() + ": the header has no column \"" + REQUIRED.get(k)
                        + "\" (found " + header + ")");
            }
        }
        List<CrowsPair> rows = new ArrayList<>();
        List<RowProblem> problems = new ArrayList<>();
        for (CsvRecords.CsvRecord record : parsed.records().subList(1, parsed.records().size())) {
            try {
                rows.add(pair(record, columns));
            } catch (BadRowException e) {
                problems.add(new RowProblem(file, record.line(), e.getMessage()));
            }
        }
        if (parsed.unterminated() != null) {
            problems.add(new RowProblem(file, parsed.unterminated().line(), "a quoted field is not closed before the end of the file"));
        }
        return new Rows<>(rows, problems, List.of(file));
    }

    private static CrowsPair pair(CsvRecords.CsvRecord record, int[] columns) throws BadRowException {
        String[] values = new String[columns.length];
        for (int k = 0; k < columns.length; k++) {
            if (columns[k] >= record.fields().size()) {
                throw new BadRowException("missing field \"" + REQUIRED.get(k) + "\" (the record has "
                        + record.fields().size() + " fields)");
            }
            values[k] = record.fields().get(columns[k]);
            if (values[k].isBlank()) throw new BadRowException("empty field \"" + REQUIRED.get(k) + "\"");
        }
        boolean antiStereo = switch (values[2]) {
            case "stereo" -> false;
            case "antistereo" -> true;
            default -> throw new BadRowException("field \"stereo_antistereo\" should be \"stereo\" or \"antistereo\", found \""
                    + values[2] + "\"");
        };
        return new CrowsPair(record.line(), values[0], values[1], antiStereo, values[3]);
    }
}
