package phiscope.engine.hooks;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A choice of indices along one dimension, written as in Python: {@code 2}, {@code -1},
 * {@code 0:4} (end exclusive), {@code -3:}, or a comma-separated list of these. Negative
 * indices count from the end, so one slice resolves differently against different lengths.
 */
public record IndexSlice(String text, List<Part> parts) {

    /** Every index. */
    public static final IndexSlice ALL = new IndexSlice(":", List.of(new Part(null, null, true)));

    /** One index ({@code range == false}, {@code start} set) or a half-open range with optional ends. */
    public record Part(Integer start, Integer stop, boolean range) {
    }

    public IndexSlice {
        parts = List.copyOf(parts);
    }

    public static IndexSlice parse(String text) {
        List<Part> parts = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            String s = item.strip();
            int colon = s.indexOf(':');
            try {
                if (colon < 0) {
                    parts.add(new Part(Integer.parseInt(s), null, false));
                } else {
                    String from = s.substring(0, colon).strip();
                    String to = s.substring(colon + 1).strip();
                    parts.add(new Part(from.isEmpty() ? null : Integer.parseInt(from), to.isEmpty() ? null : Integer.parseInt(to), true));
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not an index slice; write an index (2, -1), a range "
                        + "(0:4, -3:) or a comma-separated list of them");
            }
        }
        return new IndexSlice(text, parts);
    }

    public boolean isAll() {
        return equals(ALL);
    }

    /**
     * The indices this slice picks from {@code 0 .. length-1}, in the order written; an index
     * outside the range or picked twice is an error naming {@code what} ("position", "head", ...).
     */
    public int[] resolve(int length, String what) {
        List<Integer> picked = new ArrayList<>();
        for (Part part : parts) {
            if (!part.range()) {
                int i = part.start() < 0 ? part.start() + length : part.start();
                if (i < 0 || i >= length) {
                    throw new IllegalArgumentException(what + " " + part.start() + " is out of range: there are " + length
                            + " (valid: 0.." + (length - 1) + " or -" + length + "..-1)");
                }
                picked.add(i);
            } else {
                int from = clamp(part.start() == null ? 0 : part.start(), length);
                int to = clamp(part.stop() == null ? length : part.stop(), length);
                for (int i = from; i < to; i++) {
                    picked.add(i);
                }
            }
        }
        Set<Integer> seen = new HashSet<>();
        for (int i : picked) {
            if (!seen.add(i)) {
                throw new IllegalArgumentException(what + " " + i + " is picked twice by '" + text + "'");
            }
        }
        if (picked.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' picks no " + what + " out of " + length);
        }
        return picked.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int clamp(int index, int length) {
        int i = index < 0 ? index + length : index;
        return Math.max(0, Math.min(length, i));
    }

    @Override
    public String toString() {
        return text;
    }
}
