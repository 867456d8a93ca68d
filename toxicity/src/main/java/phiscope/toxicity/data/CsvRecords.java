package phiscope.toxicity.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 CSV reader that keeps the line each record starts on, which general CSV
 * libraries do not report. Quoted fields may hold commas, doubled quotes and line breaks.
 */
final class CsvRecords {

    record CsvRecord(int line, List<String> fields) {
    }

    /** A quote left open at the end of the file; the rows before it are still returned. */
    record Unterminated(int line) {
    }

    record Parsed(List<CsvRecord> records, Unterminated unterminated) {
    }

    private CsvRecords() {
    }

    static Parsed parse(String text) {
        List<CsvRecord> records = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int recordLine = 1;
        boolean quoted = false;
        boolean fieldStarted = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                } else {
                    if (c == '\n') line++;
                    field.append(c);
                }
                i++;
                continue;
            }
            switch (c) {
                case '"' -> {
                    quoted = true;
                    fieldStarted = true;
                }
                case ',' -> {
                    fields.add(field.toString());
                    field.setLength(0);
                    fieldStarted = true;
                }
                case '\r' -> {
                    // part of a CRLF line end; a lone CR is dropped too
                }
                case '\n' -> {
                    if (fieldStarted || !fields.isEmpty() || !field.isEmpty()) {
                        fields.add(field.toString());
                        records.add(new CsvRecord(recordLine, List.copyOf(fields)));
                    }
                    fields.clear();
                    field.setLength(0);
                    fieldStarted = false;
                    line++;
                    recordLine = line;
                }
                default -> {
                    field.append(c);
                    fieldStarted = true;
                }
            }
            i++;
        }
        if (quoted) return new Parsed(records, new Unterminated(recordLine));
        if (fieldStarted || !fields.isEmpty() || !field.isEmpty()) {
            fields.add(field.toString());
            records.add(new CsvRecord(recordLine, List.copyOf(fields)));
        }
        return new Parsed(records, null);
    }
}
