package io.outrigger.core.internal.protocol;

/**
 * Text a peer sent (a path, a metadata key, a closing reason), made safe to log and to quote in
 * messages: control characters are escaped, so a peer cannot forge log lines with a newline, and the
 * length is capped, so it cannot flood the log through an error message.
 */
public final class PeerText {

    /** The most characters kept; the rest is summarized. */
    public static final int MAX_LENGTH = 200;

    private PeerText() {}

    /** {@code text} with control characters as {@code \n}, {@code \t}, {@code \u0000}..., at most {@link #MAX_LENGTH} characters. */
    public static String safe(String text) {
        if (text == null) {
            return "null";
        }
        int n = Math.min(text.length(), MAX_LENGTH);
        StringBuilder sb = null;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                if (sb == null) {
                    sb = new StringBuilder(n + 16).append(text, 0, i);
                }
                switch (c) {
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> sb.append(String.format("\\u%04x", (int) c));
                }
            } else if (sb != null) {
                sb.append(c);
            }
        }
        String out = sb == null ? text.substring(0, n) : sb.toString();
        return text.length() > MAX_LENGTH ? out + "...(" + text.length() + " characters)" : out;
    }
}
