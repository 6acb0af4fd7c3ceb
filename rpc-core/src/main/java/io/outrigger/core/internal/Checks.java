package io.outrigger.core.internal;

import java.time.Duration;
import java.util.Objects;

/** Eager argument checks for builders, with messages that say what was expected. */
public final class Checks {

    private Checks() {}

    /** {@code value} if in {@code min..max}, else {@code "name: value (expected: min..max)"}. */
    public static int range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + min + ".." + max + ")");
        }
        return value;
    }

    /** {@code d} if greater than zero. */
    public static Duration positive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
        return d;
    }

    /** {@code d} if zero or more. */
    public static Duration nonNegative(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: >= 0)");
        }
        return d;
    }
}
