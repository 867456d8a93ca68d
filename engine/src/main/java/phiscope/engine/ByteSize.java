package phiscope.engine;

import java.util.Locale;

/** Sizes in bytes as people write and read them: {@code 512MB}, {@code 1.5 GB} (powers of 1024). */
public final class ByteSize {

    private ByteSize() {
    }

    /** Bytes for people: 512 B, 1.5 KB, 2.0 MB, 3.2 GB (powers of 1024). */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KB", "MB", "GB", "TB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** Reads sizes such as {@code 512MB}, {@code 2g}, {@code 1.5GB} or a plain byte count. */
    public static long parse(String text) {
        String s = text.strip().toUpperCase(Locale.ROOT).replace(" ", "");
        long scale = 1;
        for (String[] unit : new String[][] {{"TB", "T"}, {"GB", "G"}, {"MB", "M"}, {"KB", "K"}}) {
            String found = s.endsWith(unit[0]) ? unit[0] : s.endsWith(unit[1]) ? unit[1] : null;
            if (found != null) {
                s = s.substring(0, s.length() - found.length());
                scale = switch (unit[0]) {
                    case "TB" -> 1L << 40;
                    case "GB" -> 1L << 30;
                    case "MB" -> 1L << 20;
                    default -> 1L << 10;
                };
                break;
            }
        }
        if (s.endsWith("B")) {
            s = s.substring(0, s.length() - 1);
        }
        try {
            double value = Double.parseDouble(s);
            if (!(value > 0)) {
                throw new NumberFormatException();
            }
            return (long) (value * scale);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size; write e.g. 512MB, 2GB or 1048576");
        }
    }
}
