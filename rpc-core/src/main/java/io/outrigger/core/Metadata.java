package io.outrigger.core;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * String headers that travel with a request or a response: trace context, version, tags, auth,
 * and whatever the application adds.
 *
 * <p>Keys are lowercase ASCII ({@code [a-z0-9._-]}, 1-255 characters); values are any string. Each key
 * holds at most one value. Instances are immutable and thread-safe; {@link #with} returns a copy.
 * Small by design: lookups scan a flat array, which beats hashing for the handful of headers a
 * call carries.
 *
 * <pre>{@code
 * Metadata md = Metadata.of("outrigger-tag", "canary").with("tenant", "acme");
 * }</pre>
 */
public final class Metadata {

    private static final Metadata EMPTY = new Metadata(new String[0]);

    /** Alternating keys and values. */
    private final String[] entries;

    private Metadata(String[] entries) {
        this.entries = entries;
    }

    /** Metadata with no entries. */
    public static Metadata empty() {
        return EMPTY;
    }

    /** Metadata with one entry. */
    public static Metadata of(String key, String value) {
        return EMPTY.with(key, value);
    }

    /** Metadata holding the entries of {@code map}, in its iteration order. */
    public static Metadata of(Map<String, String> map) {
        Metadata md = EMPTY;
        for (Map.Entry<String, String> e : map.entrySet()) {
            md = md.with(e.getKey(), e.getValue());
        }
        return md;
    }

    /**
     * Metadata from alternating keys and values, e.g. {@code ofEntries("a", "1", "b", "2")}.
     *
     * @throws IllegalArgumentException if the count is odd, a key is invalid (see {@link #checkKey})
     *     or repeated
     */
    public static Metadata ofEntries(String... keysAndValues) {
        if ((keysAndValues.length & 1) != 0) {
            throw new IllegalArgumentException(
                    "keysAndValues: " + keysAndValues.length + " strings (expected: an even number)");
        }
        if (keysAndValues.length == 0) {
            return EMPTY;
        }
        String[] e = keysAndValues.clone();
        for (int i = 0; i < e.length; i += 2) {
            checkKey(e[i]);
            Objects.requireNonNull(e[i + 1], "value");
            for (int j = 0; j < i; j += 2) {
                if (e[j].equals(e[i])) {
                    throw new IllegalArgumentException("metadata key repeated: " + e[i]);
                }
            }
        }
        return new Metadata(e);
    }

    /** The value of {@code key}, or {@code null}. */
    public String get(String key) {
        String[] e = entries;
        for (int i = 0; i < e.length; i += 2) {
            if (e[i].equals(key)) {
                return e[i + 1];
            }
        }
        return null;
    }

    /** The value of {@code key}, or {@code defaultValue}. */
    public String getOrDefault(String key, String defaultValue) {
        String v = get(key);
        return v == null ? defaultValue : v;
    }

    /** Whether {@code key} has a value. */
    public boolean contains(String key) {
        return get(key) != null;
    }

    /**
     * A copy with {@code key} set to {@code value} (replacing an earlier value).
     *
     * @throws IllegalArgumentException if the key is not lowercase ASCII {@code [a-z0-9._-]}, 1-255
     *     characters
     */
    public Metadata with(String key, String value) {
        checkKey(key);
        Objects.requireNonNull(value, "value");
        String[] e = entries;
        for (int i = 0; i < e.length; i += 2) {
            if (e[i].equals(key)) {
                if (e[i + 1].equals(value)) {
                    return this;
                }
                String[] copy = e.clone();
                copy[i + 1] = value;
                return new Metadata(copy);
            }
        }
        String[] copy = Arrays.copyOf(e, e.length + 2);
        copy[e.length] = key;
        copy[e.length + 1] = value;
        return new Metadata(copy);
    }

    /** A copy with every entry of {@code other} set on top of these. */
    public Metadata withAll(Metadata other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        Metadata md = this;
        for (int i = 0; i < other.entries.length; i += 2) {
            md = md.with(other.entries[i], other.entries[i + 1]);
        }
        return md;
    }

    /** A copy without {@code key}. */
    public Metadata without(String key) {
        String[] e = entries;
        for (int i = 0; i < e.length; i += 2) {
            if (e[i].equals(key)) {
                String[] copy = new String[e.length - 2];
                System.arraycopy(e, 0, copy, 0, i);
                System.arraycopy(e, i + 2, copy, i, e.length - i - 2);
                return copy.length == 0 ? EMPTY : new Metadata(copy);
            }
        }
        return this;
    }

    /** The number of entries. */
    public int size() {
        return entries.length / 2;
    }

    public boolean isEmpty() {
        return entries.length == 0;
    }

    /** The key of entry {@code index} (0-based, in insertion order). */
    public String key(int index) {
        return entries[index * 2];
    }

    /** The value of entry {@code index} (0-based, in insertion order). */
    public String value(int index) {
        return entries[index * 2 + 1];
    }

    /** Calls {@code action} for each entry, in insertion order. */
    public void forEach(BiConsumer<String, String> action) {
        for (int i = 0; i < entries.length; i += 2) {
            action.accept(entries[i], entries[i + 1]);
        }
    }

    /** The entries as a new ordered map. */
    public Map<String, String> toMap() {
        Map<String, String> map = new LinkedHashMap<>();
        forEach(map::put);
        return map;
    }

    /**
     * Checks that {@code key} is a valid metadata key.
     *
     * @throws IllegalArgumentException saying what is wrong with the key
     */
    public static void checkKey(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty() || key.length() > 255) {
            throw new IllegalArgumentException(
                    "metadata key length: " + key.length() + " (expected: 1..255 characters)");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
            if (!ok) {
                throw new IllegalArgumentException(
                        "metadata key: \"" + key + "\" (expected: lowercase ASCII letters, digits, '-', '_' or '.')");
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Metadata m && toMap().equals(m.toMap());
    }

    @Override
    public int hashCode() {
        return toMap().hashCode();
    }

    @Override
    public String toString() {
        return toMap().toString();
    }
}
