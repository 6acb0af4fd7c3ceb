package io.outrigger.governance.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * A version selector: {@code *} (any version, including none), an exact version ({@code 1.4.0}),
 * or a prefix wildcard ending in {@code .*} ({@code 2.*} matches {@code 2}, {@code 2.0} and {@code
 * 2.1.3}, not {@code 20.1}). Immutable.
 */
public final class VersionPattern {

    private static final VersionPattern ANY = new VersionPattern("*", null, true);

    private final String text;
    /** The exact version, or the prefix before {@code .*}. */
    private final String value;

    private final boolean wildcard;

    private VersionPattern(String text, String value, boolean wildcard) {
        this.text = text;
        this.value = value;
        this.wildcard = wildcard;
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException naming the pattern and the accepted forms
     */
    public static VersionPattern parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("version pattern: \"" + text + "\" (expected: 1.4.0, 2.* or *)");
        }
        String t = text.strip();
        if (t.equals("*")) {
            return ANY;
        }
        int star = t.indexOf('*');
        if (star < 0) {
            return new VersionPattern(t, t, false);
        }
        if (star != t.length() - 1 || star < 2 || t.charAt(star - 1) != '.') {
            throw new IllegalArgumentException("version pattern: \"" + text
                    + "\" (expected: an exact version such as 1.4.0, or a prefix ending in .* such as 2.*)");
        }
        return new VersionPattern(t, t.substring(0, star - 1), true);
    }

    /** Parses each of {@code texts}. */
    public static List<VersionPattern> parseAll(List<String> texts) {
        List<VersionPattern> patterns = new ArrayList<>(texts.size());
        for (String t : texts) {
            patterns.add(parse(t));
        }
        return List.copyOf(patterns);
    }

    /** Whether {@code version} (possibly empty) matches. */
    public boolean matches(String version) {
        if (this == ANY) {
            return true;
        }
        if (!wildcard) {
            return value.equals(version);
        }
        return version.startsWith(value)
                && (version.length() == value.length() || version.charAt(value.length()) == '.');
    }

    /** Whether {@code version} matches any of {@code patterns}. */
    public static boolean matchesAny(List<VersionPattern> patterns, String version) {
        for (int i = 0; i < patterns.size(); i++) {
            if (patterns.get(i).matches(version)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
