package io.outrigger.governance;

import io.outrigger.core.Status;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * When a failed call is tried again, on another endpoint (failover).
 *
 * <ul>
 *   <li>Every method is retried on {@code UNAVAILABLE}: the request never reached a provider, or the
 *       provider refused it before running it, so running it elsewhere is safe. The exception: an
 *       {@code UNAVAILABLE} caused by a connection lost with the request in flight ({@link
 *       io.outrigger.core.RequestMayHaveRunException}) is retried only for idempotent methods.
 *   <li>Methods marked {@link io.outrigger.core.service.Idempotent} are also retried on {@code
 *       DEADLINE_EXCEEDED}, {@code UNKNOWN}, {@code INTERNAL} and {@code ABORTED}: the provider may
 *       have done the work, which is harmless only when doing it twice is.
 *   <li>A retry budget is always on: retries add at most {@link Builder#budgetRatio} of the calls
 *       made in the last 10 seconds, plus {@link Builder#minRetriesPerSecond} retries per second, so a
 *       failing provider cannot make callers multiply the load on it.
 *   <li>No attempt starts after the call's deadline has passed, and every attempt carries that same
 *       deadline (or an earlier one with {@link Builder#attemptTimeout}).
 * </ul>
 *
 * <p>Immutable and thread-safe. Live rules ({@code "retry"} in {@code docs/rules.md}) override any of
 * these values per service.
 *
 * <pre>{@code
 * RetryPolicy policy = RetryPolicy.builder()
 *         .maxAttempts(3)          // "maxAttempts: 0 (expected: 1..10)"
 *         .budgetRatio(0.1)        // at most 10% extra load from retries
 *         .build();
 * }</pre>
 */
public final class RetryPolicy {

    private static final RetryPolicy DEFAULTS = builder().build();

    private final int maxAttempts;
    private final Set<Status.Code> retryOn;
    private final Set<Status.Code> retryIdempotentOn;
    private final double budgetRatio;
    private final int minRetriesPerSecond;
    private final Duration attemptTimeout;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.retryOn = Collections.unmodifiableSet(EnumSet.copyOf(b.retryOn));
        this.retryIdempotentOn = Collections.unmodifiableSet(EnumSet.copyOf(b.retryIdempotentOn));
        this.budgetRatio = b.budgetRatio;
        this.minRetriesPerSecond = b.minRetriesPerSecond;
        this.attemptTimeout = b.attemptTimeout;
    }

    /** The defaults: 3 attempts, retry on {@code UNAVAILABLE}, a 10% budget with 10 retries/s minimum. */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this policy's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxAttempts = maxAttempts;
        b.retryOn = EnumSet.copyOf(retryOn);
        b.retryIdempotentOn = EnumSet.copyOf(retryIdempotentOn);
        b.budgetRatio = budgetRatio;
        b.minRetriesPerSecond = minRetriesPerSecond;
        b.attemptTimeout = attemptTimeout;
        return b;
    }

    /** Attempts per call, including the first. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** Codes retried for every method. */
    public Set<Status.Code> retryOn() {
        return retryOn;
    }

    /** Codes retried only for idempotent methods (in addition to {@link #retryOn()}). */
    public Set<Status.Code> retryIdempotentOn() {
        return retryIdempotentOn;
    }

    /** The extra load retries may add, as a fraction of calls. */
    public double budgetRatio() {
        return budgetRatio;
    }

    /** Retries per second always allowed, whatever the ratio. */
    public int minRetriesPerSecond() {
        return minRetriesPerSecond;
    }

    /** The timeout of each attempt, or {@code null} when attempts use the call's deadline only. */
    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof RetryPolicy p
                && maxAttempts == p.maxAttempts
                && retryOn.equals(p.retryOn)
                && retryIdempotentOn.equals(p.retryIdempotentOn)
                && budgetRatio == p.budgetRatio
                && minRetriesPerSecond == p.minRetriesPerSecond
                && Objects.equals(attemptTimeout, p.attemptTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, retryOn, retryIdempotentOn, budgetRatio, minRetriesPerSecond, attemptTimeout);
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", retryOn=" + retryOn + ", retryIdempotentOn="
                + retryIdempotentOn + ", budgetRatio=" + budgetRatio + ", minRetriesPerSecond=" + minRetriesPerSecond
                + (attemptTimeout == null ? "" : ", attemptTimeout=" + attemptTimeout) + "]";
    }

    /** Builds a {@link RetryPolicy}; each method validates its argument at once. Not thread-safe. */
    public static final class Builder {
        private int maxAttempts = 3;
        private EnumSet<Status.Code> retryOn = EnumSet.of(Status.Code.UNAVAILABLE);
        private EnumSet<Status.Code> retryIdempotentOn = EnumSet.of(
                Status.Code.DEADLINE_EXCEEDED, Status.Code.UNKNOWN, Status.Code.INTERNAL, Status.Code.ABORTED);
        private double budgetRatio = 0.1;
        private int minRetriesPerSecond = 10;
        private Duration attemptTimeout;

        private Builder() {}

        /** Attempts per call including the first, 1..10 (1: never retry). Default 3. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > 10) {
                throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: 1..10)");
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Codes retried for every method. Default: {@code UNAVAILABLE}. */
        public Builder retryOn(Status.Code... codes) {
            this.retryOn = codes("retryOn", codes);
            return this;
        }

        /**
         * Codes retried only for idempotent methods. Default: {@code DEADLINE_EXCEEDED}, {@code UNKNOWN},
         * {@code INTERNAL}, {@code ABORTED}.
         */
        public Builder retryIdempotentOn(Status.Code... codes) {
            this.retryIdempotentOn = codes("retryIdempotentOn", codes);
            return this;
        }

        /** The extra load retries may add, 0..1 of the calls in the last 10 s. Default 0.1. */
        public Builder budgetRatio(double budgetRatio) {
            if (!(budgetRatio >= 0 && budgetRatio <= 1)) {
                throw new IllegalArgumentException("budgetRatio: " + budgetRatio + " (expected: 0..1)");
            }
            this.budgetRatio = budgetRatio;
            return this;
        }

        /** Retries per second allowed whatever the ratio, so rare calls can still be retried; >= 0. Default 10. */
        public Builder minRetriesPerSecond(int minRetriesPerSecond) {
            if (minRetriesPerSecond < 0) {
                throw new IllegalArgumentException("minRetriesPerSecond: " + minRetriesPerSecond + " (expected: >= 0)");
            }
            this.minRetriesPerSecond = minRetriesPerSecond;
            return this;
        }

        /**
         * The timeout of each attempt (Envoy's per-try timeout), capped by the call's deadline; {@code
         * null} for none. Default none: every attempt has the call's deadline.
         */
        public Builder attemptTimeout(Duration attemptTimeout) {
            if (attemptTimeout != null && (attemptTimeout.isNegative() || attemptTimeout.isZero())) {
                throw new IllegalArgumentException("attemptTimeout: " + attemptTimeout + " (expected: > 0)");
            }
            this.attemptTimeout = attemptTimeout;
            return this;
        }

        /** The policy. */
        public RetryPolicy build() {
            return new RetryPolicy(this);
        }

        private static EnumSet<Status.Code> codes(String name, Status.Code... codes) {
            EnumSet<Status.Code> set = EnumSet.noneOf(Status.Code.class);
            for (Status.Code c : codes) {
                Objects.requireNonNull(c, name);
                if (c == Status.Code.OK) {
                    throw new IllegalArgumentException(name + ": OK (expected: failure codes)");
                }
                set.add(c);
            }
            return set;
        }
    }
}
