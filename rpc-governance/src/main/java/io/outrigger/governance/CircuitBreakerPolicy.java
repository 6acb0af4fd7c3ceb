package io.outrigger.governance;

import io.outrigger.core.Status;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The thresholds of a circuit breaker (Resilience4j underneath), used per endpoint (outlier
 * ejection) and per service/method.
 *
 * <p>A breaker judges the last {@link #windowSize()} calls once at least {@link #minimumCalls()}
 * were recorded: when the share that failed (a status in {@link #failureCodes()}) or that were slow
 * reaches its threshold, it opens; after {@link #openDuration()} it lets {@link #halfOpenCalls()}
 * probe calls through and closes if they succeed well enough, or opens again. With {@link
 * #consecutiveFailures()} set it also opens after that many failures in a row, however few calls
 * the window holds (Envoy's {@code consecutive_5xx}); {@link #endpointDefaults()} sets it to 5.
 *
 * <p>Immutable and thread-safe. Live rules ({@code "circuitBreaker"} and {@code "endpointBreaker"}
 * in {@code docs/rules.md}) override any of these values per service.
 */
public final class CircuitBreakerPolicy {

    private static final CircuitBreakerPolicy DEFAULTS = builder().build();
    private static final CircuitBreakerPolicy ENDPOINT_DEFAULTS =
            builder().consecutiveFailures(5).build();
    private static final CircuitBreakerPolicy DISABLED =
            builder().enabled(false).build();

    private final boolean enabled;
    private final float failureRateThreshold;
    private final int minimumCalls;
    private final int windowSize;
    private final Duration openDuration;
    private final int halfOpenCalls;
    private final Duration slowCallDuration;
    private final float slowCallRateThreshold;
    private final Set<Status.Code> failureCodes;
    private final int consecutiveFailures;

    private CircuitBreakerPolicy(Builder b) {
        this.consecutiveFailures = b.consecutiveFailures;
        this.enabled = b.enabled;
        this.failureRateThreshold = b.failureRateThreshold;
        this.minimumCalls = b.minimumCalls;
        this.windowSize = b.windowSize;
        this.openDuration = b.openDuration;
        this.halfOpenCalls = b.halfOpenCalls;
        this.slowCallDuration = b.slowCallDuration;
        this.slowCallRateThreshold = b.slowCallRateThreshold;
        this.failureCodes = Collections.unmodifiableSet(EnumSet.copyOf(b.failureCodes));
    }

    /**
     * The defaults: opens at a 50% failure rate over the last 100 calls (judged from 20 calls on),
     * stays open 10 s, then probes with 5 calls; slow calls are not judged.
     */
    public static CircuitBreakerPolicy defaults() {
        return DEFAULTS;
    }

    /**
     * The defaults of endpoint breakers (outlier ejection): {@link #defaults()}, and an endpoint is
     * also ejected after 5 failures in a row, so one that gets few calls and fails them all is not
     * kept until it has had 20. Start from {@code endpointDefaults().toBuilder()} to keep that when
     * changing other thresholds.
     */
    public static CircuitBreakerPolicy endpointDefaults() {
        return ENDPOINT_DEFAULTS;
    }

    /** A policy that never opens (no breaker at all). */
    public static CircuitBreakerPolicy disabled() {
        return DISABLED;
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this policy's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.enabled = enabled;
        b.failureRateThreshold = failureRateThreshold;
        b.minimumCalls = minimumCalls;
        b.windowSize = windowSize;
        b.openDuration = openDuration;
        b.halfOpenCalls = halfOpenCalls;
        b.slowCallDuration = slowCallDuration;
        b.slowCallRateThreshold = slowCallRateThreshold;
        b.failureCodes = EnumSet.copyOf(failureCodes);
        b.consecutiveFailures = consecutiveFailures;
        return b;
    }

    /** Whether a breaker exists at all. */
    public boolean enabled() {
        return enabled;
    }

    /** The failure rate, in percent, that opens the breaker. */
    public float failureRateThreshold() {
        return failureRateThreshold;
    }

    /** Calls recorded before the rates are judged (at most {@link #windowSize()} take effect). */
    public int minimumCalls() {
        return minimumCalls;
    }

    /** The number of most recent calls the rates cover. */
    public int windowSize() {
        return windowSize;
    }

    /** How long the breaker stays open before probing. */
    public Duration openDuration() {
        return openDuration;
    }

    /** Probe calls let through while half-open. */
    public int halfOpenCalls() {
        return halfOpenCalls;
    }

    /** Calls at least this slow count as slow, or {@code null} when slowness is not judged. */
    public Duration slowCallDuration() {
        return slowCallDuration;
    }

    /** The slow-call rate, in percent, that opens the breaker. */
    public float slowCallRateThreshold() {
        return slowCallRateThreshold;
    }

    /** Status codes counted as failures; every other outcome counts as a success. */
    public Set<Status.Code> failureCodes() {
        return failureCodes;
    }

    /** Failures in a row that open the breaker whatever the window says; 0 when only rates count. */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof CircuitBreakerPolicy p
                && enabled == p.enabled
                && failureRateThreshold == p.failureRateThreshold
                && minimumCalls == p.minimumCalls
                && windowSize == p.windowSize
                && openDuration.equals(p.openDuration)
                && halfOpenCalls == p.halfOpenCalls
                && Objects.equals(slowCallDuration, p.slowCallDuration)
                && slowCallRateThreshold == p.slowCallRateThreshold
                && failureCodes.equals(p.failureCodes)
                && consecutiveFailures == p.consecutiveFailures;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                enabled,
                failureRateThreshold,
                minimumCalls,
                windowSize,
                openDuration,
                halfOpenCalls,
                slowCallDuration,
                slowCallRateThreshold,
                failureCodes,
                consecutiveFailures);
    }

    @Override
    public String toString() {
        if (!enabled) {
            return "CircuitBreakerPolicy[disabled]";
        }
        return "CircuitBreakerPolicy[failureRate>=" + failureRateThreshold + "% of the last " + windowSize
                + " calls (from " + minimumCalls + "), open " + openDuration + ", " + halfOpenCalls + " probes"
                + (slowCallDuration == null ? "" : ", slow>=" + slowCallDuration + " at " + slowCallRateThreshold + "%")
                + (consecutiveFailures == 0 ? "" : ", or " + consecutiveFailures + " failures in a row")
                + ", failures=" + failureCodes + "]";
    }

    /** Builds a {@link CircuitBreakerPolicy}; each method validates its argument at once. Not thread-safe. */
    public static final class Builder {
        private boolean enabled = true;
        private float failureRateThreshold = 50;
        private int minimumCalls = 20;
        private int windowSize = 100;
        private Duration openDuration = Duration.ofSeconds(10);
        private int halfOpenCalls = 5;
        private Duration slowCallDuration;
        private float slowCallRateThreshold = 100;
        private EnumSet<Status.Code> failureCodes = EnumSet.of(
                Status.Code.UNAVAILABLE,
                Status.Code.DEADLINE_EXCEEDED,
                Status.Code.INTERNAL,
                Status.Code.UNKNOWN,
                Status.Code.DATA_LOSS);
        private int consecutiveFailures;

        private Builder() {}

        /** Whether the breaker exists. Default true. */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /** The failure rate in percent that opens the breaker, (0, 100]. Default 50. */
        public Builder failureRateThreshold(double percent) {
            if (!(percent > 0 && percent <= 100)) {
                throw new IllegalArgumentException("failureRateThreshold: " + percent + " (expected: > 0 and <= 100)");
            }
            this.failureRateThreshold = (float) percent;
            return this;
        }

        /** Calls recorded before the rates are judged, 1..10000. Default 20. */
        public Builder minimumCalls(int minimumCalls) {
            if (minimumCalls < 1 || minimumCalls > 10_000) {
                throw new IllegalArgumentException("minimumCalls: " + minimumCalls + " (expected: 1..10000)");
            }
            this.minimumCalls = minimumCalls;
            return this;
        }

        /** The number of most recent calls judged, 1..10000. Default 100. */
        public Builder windowSize(int windowSize) {
            if (windowSize < 1 || windowSize > 10_000) {
                throw new IllegalArgumentException("windowSize: " + windowSize + " (expected: 1..10000)");
            }
            this.windowSize = windowSize;
            return this;
        }

        /** How long the breaker stays open before probing, > 0. Default 10 s. */
        public Builder openDuration(Duration openDuration) {
            Objects.requireNonNull(openDuration, "openDuration");
            if (openDuration.isNegative() || openDuration.isZero()) {
                throw new IllegalArgumentException("openDuration: " + openDuration + " (expected: > 0)");
            }
            this.openDuration = openDuration;
            return this;
        }

        /** Probe calls while half-open, 1..1000. Default 5. */
        public Builder halfOpenCalls(int halfOpenCalls) {
            if (halfOpenCalls < 1 || halfOpenCalls > 1000) {
                throw new IllegalArgumentException("halfOpenCalls: " + halfOpenCalls + " (expected: 1..1000)");
            }
            this.halfOpenCalls = halfOpenCalls;
            return this;
        }

        /**
         * Judges slow calls too: calls of at least {@code duration} count as slow, and a slow-call
         * rate of {@code ratePercent} opens the breaker. Default: slowness not judged.
         */
        public Builder slowCalls(Duration duration, double ratePercent) {
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("slowCallDuration: " + duration + " (expected: > 0)");
            }
            if (!(ratePercent > 0 && ratePercent <= 100)) {
                throw new IllegalArgumentException(
                        "slowCallRateThreshold: " + ratePercent + " (expected: > 0 and <= 100)");
            }
            this.slowCallDuration = duration;
            this.slowCallRateThreshold = (float) ratePercent;
            return this;
        }

        /**
         * Status codes counted as failures. Default: {@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED},
         * {@code INTERNAL}, {@code UNKNOWN}, {@code DATA_LOSS} — the provider is unwell. Answers such as
         * {@code NOT_FOUND} or {@code INVALID_ARGUMENT} are the caller's business and count as successes.
         */
        public Builder failureCodes(Status.Code... codes) {
            EnumSet<Status.Code> set = EnumSet.noneOf(Status.Code.class);
            for (Status.Code c : codes) {
                Objects.requireNonNull(c, "failureCodes");
                if (c == Status.Code.OK) {
                    throw new IllegalArgumentException("failureCodes: OK (expected: failure codes)");
                }
                set.add(c);
            }
            if (set.isEmpty()) {
                throw new IllegalArgumentException("failureCodes: none (expected: at least one code)");
            }
            this.failureCodes = set;
            return this;
        }

        /**
         * Opens the breaker also after {@code failures} failures in a row (counted as {@link
         * #failureCodes}), however few calls its window holds; 0..10000, 0 for rates only. Default 0
         * ({@link #endpointDefaults()}: 5). Meant for endpoints, where ejecting one sends its calls to
         * the others; on a method breaker a run opens the method for every caller.
         */
        public Builder consecutiveFailures(int failures) {
            if (failures < 0 || failures > 10_000) {
                throw new IllegalArgumentException("consecutiveFailures: " + failures + " (expected: 0..10000)");
            }
            this.consecutiveFailures = failures;
            return this;
        }

        /** The policy. */
        public CircuitBreakerPolicy build() {
            return new CircuitBreakerPolicy(this);
        }
    }
}
