package io.outrigger.governance.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.outrigger.core.Status;
import io.outrigger.governance.CircuitBreakerPolicy;
import io.outrigger.governance.RetryPolicy;
import java.time.Duration;
import java.util.Set;

/** Merges rule sections over the policies configured in code, and maps policies to Resilience4j. */
final class Policies {

    private Policies() {}

    /** {@code base} with the fields {@code rules} sets replaced. */
    static RetryPolicy merge(RetryPolicy base, ServiceRules rules) {
        RuleDocument.Retry r = rules.retry();
        if (r == null) {
            return base;
        }
        RetryPolicy.Builder b = base.toBuilder();
        if (r.maxAttempts() != null) {
            b.maxAttempts(r.maxAttempts());
        }
        if (rules.retryOn() != null) {
            b.retryOn(rules.retryOn().toArray(Status.Code[]::new));
        }
        if (rules.retryIdempotentOn() != null) {
            b.retryIdempotentOn(rules.retryIdempotentOn().toArray(Status.Code[]::new));
        }
        if (r.budgetPercent() != null) {
            b.budgetRatio(r.budgetPercent() / 100.0);
        }
        if (r.attemptTimeoutMillis() != null) {
            b.attemptTimeout(Duration.ofMillis(r.attemptTimeoutMillis()));
        }
        if (r.backoffMillis() != null || r.maxBackoffMillis() != null) {
            Duration initial = r.backoffMillis() == null ? base.initialBackoff() : Duration.ofMillis(r.backoffMillis());
            Duration max = r.maxBackoffMillis() == null ? base.maxBackoff() : Duration.ofMillis(r.maxBackoffMillis());
            // A rule that sets only one of them wins over the code's other: keep them ordered.
            b.backoff(
                    r.backoffMillis() == null && initial.compareTo(max) > 0 ? max : initial,
                    r.maxBackoffMillis() == null && max.compareTo(initial) < 0 ? initial : max);
        }
        return b.build();
    }

    /** {@code base} with the fields {@code section} sets replaced; {@code base} when it is absent. */
    static CircuitBreakerPolicy merge(CircuitBreakerPolicy base, RuleDocument.Breaker section) {
        if (section == null) {
            return base;
        }
        CircuitBreakerPolicy.Builder b = base.toBuilder().enabled(true);
        if (section.failureRatePercent() != null) {
            b.failureRateThreshold(section.failureRatePercent());
        }
        if (section.minimumCalls() != null) {
            b.minimumCalls(section.minimumCalls());
        }
        if (section.windowSize() != null) {
            b.windowSize(section.windowSize());
        }
        if (section.openMillis() != null) {
            b.openDuration(Duration.ofMillis(section.openMillis()));
        }
        if (section.halfOpenCalls() != null) {
            b.halfOpenCalls(section.halfOpenCalls());
        }
        if (section.slowCallMillis() != null || section.slowCallRatePercent() != null) {
            Duration d = section.slowCallMillis() != null
                    ? Duration.ofMillis(section.slowCallMillis())
                    : base.slowCallDuration() != null ? base.slowCallDuration() : Duration.ofDays(1);
            double rate = section.slowCallRatePercent() != null
                    ? section.slowCallRatePercent()
                    : base.slowCallRateThreshold();
            b.slowCalls(d, rate);
        }
        if (section.consecutiveFailures() != null) {
            b.consecutiveFailures(section.consecutiveFailures());
        }
        if (section.failureCodes() != null) {
            Set<Status.Code> codes = RuleDocument.codes("failureCodes", section.failureCodes());
            b.failureCodes(codes.toArray(Status.Code[]::new));
        }
        return b.build();
    }

    /** The Resilience4j configuration of {@code policy}: a count-based window, time from {@code ticker}. */
    static CircuitBreakerConfig toConfig(CircuitBreakerPolicy policy, Ticker ticker) {
        CircuitBreakerConfig.Builder b = CircuitBreakerConfig.custom()
                .failureRateThreshold(policy.failureRateThreshold())
                .slidingWindow(
                        policy.windowSize(),
                        Math.min(policy.minimumCalls(), policy.windowSize()),
                        CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .waitDurationInOpenState(policy.openDuration())
                .permittedNumberOfCallsInHalfOpenState(policy.halfOpenCalls())
                // Half-open is entered by the next call after the wait, never by a timer thread:
                // the state then only moves with calls and the injected clock.
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                .clock(ticker.clock())
                .currentTimestampFunction(clock -> ticker.nanoTime(), java.util.concurrent.TimeUnit.NANOSECONDS);
        if (policy.slowCallDuration() != null) {
            b.slowCallDurationThreshold(policy.slowCallDuration())
                    .slowCallRateThreshold(policy.slowCallRateThreshold());
        } else {
            b.slowCallDurationThreshold(Duration.ofDays(1)).slowCallRateThreshold(100);
        }
        return b.build();
    }
}
