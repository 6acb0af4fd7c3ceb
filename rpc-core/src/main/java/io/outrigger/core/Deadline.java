package io.outrigger.core;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The instant by which a call must finish, on this JVM's monotonic clock ({@link System#nanoTime}).
 *
 * <p>On the wire a deadline travels as the <em>remaining</em> time (as in gRPC), so clocks of the
 * two hosts never need to agree. {@link #NONE} means no deadline. Immutable and thread-safe.
 */
public final class Deadline implements Comparable<Deadline> {

    /** No deadline: the call may take as long as it takes. */
    public static final Deadline NONE = new Deadline(Long.MAX_VALUE);

    private final long expiresAtNanos;

    private Deadline(long expiresAtNanos) {
        this.expiresAtNanos = expiresAtNanos;
    }

    /** A deadline {@code timeout} from now; a zero or negative timeout is already expired. */
    public static Deadline after(Duration timeout) {
        return afterNanos(saturatedNanos(timeout));
    }

    /** A deadline {@code amount} {@code unit}s from now. */
    public static Deadline after(long amount, TimeUnit unit) {
        return afterNanos(unit.toNanos(amount));
    }

    /** A deadline {@code nanos} nanoseconds from now. */
    public static Deadline afterNanos(long nanos) {
        long now = System.nanoTime();
        long at = now + nanos;
        // On overflow the deadline is effectively none.
        if (nanos > 0 && at < now) {
            return NONE;
        }
        return new Deadline(at);
    }

    public boolean isNone() {
        return this == NONE || expiresAtNanos == Long.MAX_VALUE;
    }

    /** Nanoseconds left: negative once expired, {@link Long#MAX_VALUE} for {@link #NONE}. */
    public long remainingNanos() {
        return isNone() ? Long.MAX_VALUE : expiresAtNanos - System.nanoTime();
    }

    /** Whether the deadline has passed. */
    public boolean isExpired() {
        return !isNone() && expiresAtNanos - System.nanoTime() <= 0;
    }

    /** The earlier of this deadline and {@code other}. */
    public Deadline min(Deadline other) {
        return compareTo(other) <= 0 ? this : other;
    }

    @Override
    public int compareTo(Deadline o) {
        if (isNone() || o.isNone()) {
            return Boolean.compare(isNone(), o.isNone());
        }
        return Long.signum(expiresAtNanos - o.expiresAtNanos);
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE / 2 : Long.MAX_VALUE;
        }
    }

    @Override
    public String toString() {
        if (isNone()) {
            return "Deadline[none]";
        }
        return "Deadline[" + TimeUnit.NANOSECONDS.toMillis(remainingNanos()) + " ms left]";
    }
}
