package phiscope.engine.tokenizer;

/**
 * UTF-8 decoding that replaces each maximal invalid subpart with one U+FFFD (Unicode 3.9), as
 * Rust's {@code String::from_utf8_lossy} and so Hugging Face {@code decode} do. Java's own
 * decoder groups some invalid sequences differently (encoded surrogates such as ED A0 80).
 */
final class LossyUtf8 {

    private LossyUtf8() {
    }

    static String decode(byte[] bytes) {
        StringBuilder text = new StringBuilder(bytes.length);
        int i = 0;
        while (i < bytes.length) {
            int lead = bytes[i] & 0xFF;
            if (lead < 0x80) {
                text.append((char) lead);
                i++;
                continue;
            }
            int length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 1;
            // The second byte's range also rules out overlong forms, surrogates and code points past U+10FFFF.
            int secondMin = lead == 0xE0 ? 0xA0 : lead == 0xF0 ? 0x90 : 0x80;
            int secondMax = lead == 0xED ? 0x9F : lead == 0xF4 ? 0x8F : 0xBF;
            int codePoint = lead & (0xFF >> (length + 1));
            int consumed = 1;
            while (consumed < length && i + consumed < bytes.length) {
                int b = bytes[i + consumed] & 0xFF;
                boolean second = consumed == 1;
                if (b < (second ? secondMin : 0x80) || b > (second ? secondMax : 0xBF)) {
                    break;
                }
                codePoint = codePoint << 6 | (b & 0x3F);
                consumed++;
            }
            if (length > 1 && consumed == length) {
                text.appendCodePoint(codePoint);
            } else {
                text.append('\uFFFD');
            }
            i += consumed;
        }
        return text.toString();
    }
}
