package io.outrigger.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * Typed, local per-call values that never go over the wire: the caller's address on the server, the
 * Java method behind a call, whether a method is idempotent. Immutable and thread-safe.
 *
 * <pre>{@code
 * static final Attributes.Key<String> TENANT = Attributes.Key.of("tenant", String.class);
 * Attributes attrs = Attributes.empty().with(TENANT, "acme");
 * }</pre>
 */
public final class Attributes {

    private static final Attributes EMPTY = new Attributes(new Object[0]);

    /** Alternating keys and values. */
    private final Object[] entries;

    private Attributes(Object[] entries) {
        this.entries = entries;
    }

    public static Attributes empty() {
        return EMPTY;
    }

    /** The value of {@code key}, or {@code null}. */
    public <T> T get(Key<T> key) {
        Object[] e = entries;
        for (int i = 0; i < e.length; i += 2) {
            if (e[i] == key) {
                return key.type.cast(e[i + 1]);
            }
        }
        return null;
    }

    /** The value of {@code key}, or {@code defaultValue}. */
    public <T> T getOrDefault(Key<T> key, T defaultValue) {
        T v = get(key);
        return v == null ? defaultValue : v;
    }

    /** A copy with {@code key} set to {@code value}. */
    public <T> Attributes with(Key<T> key, T value) {
        Objects.requireNonNull(value, "value");
        Object[] e = entries;
        for (int i = 0; i < e.length; i += 2) {
            if (e[i] == key) {
                Object[] copy = e.clone();
                copy[i + 1] = value;
                return new Attributes(copy);
            }
        }
        Object[] copy = Arrays.copyOf(e, e.length + 2);
        copy[e.length] = key;
        copy[e.length + 1] = value;
        return new Attributes(copy);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < entries.length; i += 2) {
            sb.append(i == 0 ? "" : ", ").append(entries[i]).append('=').append(entries[i + 1]);
        }
        return sb.append('}').toString();
    }

    /** A key, compared by identity. Create each once, as a constant. */
    public static final class Key<T> {
        private final String name;
        private final Class<T> type;

        private Key(String name, Class<T> type) {
            this.name = Objects.requireNonNull(name, "name");
            this.type = Objects.requireNonNull(type, "type");
        }

        /** A new key named {@code name} (for debugging only) holding values of {@code type}. */
        public static <T> Key<T> of(String name, Class<T> type) {
            return new Key<>(name, type);
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
