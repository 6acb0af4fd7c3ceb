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
 *   <li>Every method is retried on the codes of {@link Builder#retryOn} (default {@code
 *       UNAVAILABLE}) when the failure is known not to have reached service code ({@link
 *       io.outrigger.core.RequestNotRunException}): the request was never sent, or the provider
 *       refused it before running it (shutting down, a full executor, a limit). Running it elsewhere
 *       is then safe whatever the method does. Any other failure may have run: an {@code UNAVAILABLE}
 *       returned by the provider's code (a failing nested call), by the sidecar for an application's
 *       502/503, or caused by a connection lost with the request in flight.
 *   <li>Methods marked {@link io.outrigger.core.service.Idempotent} are retried on those codes
 *       whether or not the call ran, and also on {@code DEADLINE_EXCEEDED}, {@code UNKNOWN}, {@code
 *       INTERNAL} and {@code ABORTED}: the provider may have done the work, which is harmless only
 *       when doing it twice is.
 *   <li>A call that found no provider to go to ({@link io.outrigger.core.NoProviderException}: none
 *       registered, none matching the routers) is not retried: another attempt would meet the same
 *       list.
 *   <li>Attempts wait a jittered exponential backoff between them ({@link Builder#backoff}: from 25
 *       ms, doubling, at most 250 ms; each wait is drawn between half and all of that), so a brief
 *       outage does not burn every attempt within a millisecond. No retry is made when the call's
 *       deadline would pass during the wait.
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
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.retryOn = Collections.unmodifiableSet(EnumSet.copyOf(b.retryOn));
        this.retryIdempotentOn = Collections.unmodifiableSet(EnumSet.copyOf(b.retryIdempotentOn));
        this.budgetRatio = b.budgetRatio;
        this.minRetriesPerSecond = b.minRetriesPerSecond;
        this.attemptTimeout = b.attemptTimeout;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
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
        b.initialBackoff = initialBackoff;
        b.maxBackoff = maxBackoff;
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

    /** The wait before the first retry (before jitter); later waits double it up to {@link #maxBackoff}. */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /** The longest wait between two attempts (before jitter). */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /**
     * The wait before attempt {@code attempt + 1} (so {@code attempt >= 1}): {@code initialBackoff}
     * doubled {@code attempt - 1} times, at most {@code maxBackoff}, scaled by {@code jitter} (0..1)
     * into its upper half, in nanoseconds.
     */
    public long backoffNanos(int attempt, double jitter) {
        long cap = maxBackoff.toNanos();
        long d = initialBackoff.toNanos();
        for (int i = 1; i < attempt && d < cap; i++) {
            d *= 2;
        }
        d = Math.min(d, cap);
        return d / 2 + (long) (d / 2 * jitter);
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
                && Objects.equals(attemptTimeout, p.attemptTimeout)
                && initialBackoff.equals(p.initialBackoff)
                && maxBackoff.equals(p.maxBackoff);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                maxAttempts,
                retryOn,
                retryIdempotentOn,
                budgetRatio,
                minRetriesPerSecond,
                attemptTimeout,
                initialBackoff,
                maxBackoff);
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", retryOn=" + retryOn + ", retryIdempotentOn="
                + retryIdempotentOn + ", budgetRatio=" + budgetRatio + ", minRetriesPerSecond=" + minRetriesPerSecond
                + (attemptTimeout == null ? "" : ", attemptTimeout=" + attemptTimeout) + ", backoff=" + initialBackoff
                + ".." + maxBackoff + "]";
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
        private Duration initialBackoff = Duration.ofMillis(25);
        private Duration maxBackoff = Duration.ofMillis(250);

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

        /**
         * The waits between attempts: {@code initial} before the first retry, doubling for each
         * further one, never more than {@code max}; each wait is drawn at random between half and all
         * of that (jitter, so callers that failed together do not retry together). {@code
         * Duration.ZERO} for both retries at once. Default 25 ms to 250 ms.
         */
        public Builder backoff(Duration initial, Duration max) {
            Objects.requireNonNull(initial, "backoff initial");
            Objects.requireNonNull(max, "backoff max");
            if (initial.isNegative() || max.compareTo(initial) < 0 || max.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException(
                        "backoff: " + initial + ".." + max + " (expected: 0 <= initial <= max <= 1 minute)");
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
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
