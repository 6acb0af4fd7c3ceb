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

    /**
     * {@code text} with control characters as {@code \n}, {@code \t}, {@code \u0000}..., at most
     * {@link #MAX_LENGTH} characters once escaped, then a count of the characters left out.
     */
    public static String safe(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_LENGTH) + 24);
        int i = 0;
        for (; i < text.length() && sb.length() < MAX_LENGTH; i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                switch (c) {
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> sb.append(String.format("\\u%04x", (int) c));
                }
            } else {
                sb.append(c);
            }
        }
        return i < text.length()
                ? sb.append("...(").append(text.length()).append(" characters)").toString()
                : sb.toString();
    }
}
