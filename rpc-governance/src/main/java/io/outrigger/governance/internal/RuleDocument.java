package io.outrigger.governance.internal;

import io.outrigger.core.Status;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The JSON rule document of one service, exactly as {@code docs/rules.md} describes it. Every
 * field is optional; an absent field keeps the value configured in code. Each record checks its own
 * ranges in its constructor, so Jackson reports the failing field with its path.
 *
 * @param description free text for people (who changed what, and why); ignored by the data plane
 * @param minReaderVersion the oldest rule reader that may apply this document ({@link
 *     RuleParser#READER_VERSION}); a reader older than that rejects it whole and keeps its rules.
 *     For documents whose new fields must not be half-understood; absent: any reader
 * @param weights weight overrides by instance id ({@code host:port}), 0..10000
 * @param routing version and group selection and weighted splits
 * @param timeouts call timeouts in milliseconds by method name, {@code "*"} for every other method
 * @param retry the retry policy
 * @param circuitBreaker the per service/method breaker
 * @param endpointBreaker the per endpoint breaker (outlier ejection)
 * @param serverLimits rate limits and concurrency limits applied by providers
 * @param clientLimits rate limits and concurrency limits applied by callers
 * @param degrade methods answered by their fallback without calling any provider; {@code "*"}: all
 */
public record RuleDocument(
        String description,
        Integer minReaderVersion,
        Map<String, Integer> weights,
        Routing routing,
        Map<String, Long> timeouts,
        Retry retry,
        Breaker circuitBreaker,
        Breaker endpointBreaker,
        Map<String, Limit> serverLimits,
        Map<String, Limit> clientLimits,
        List<String> degrade) {

    /** The largest timeout a rule may set: one day. */
    static final long MAX_MILLIS = 86_400_000L;

    /** Checks ranges; absent maps and lists become empty. */
    public RuleDocument {
        if (minReaderVersion != null) {
            check(minReaderVersion >= 1, "minReaderVersion: " + minReaderVersion + " (expected: >= 1)");
        }
        weights = copy(weights);
        weights.forEach((id, w) -> {
            check(!id.isEmpty(), "weights: empty instance id (expected: host:port)");
            check(w != null && w >= 0 && w <= 10_000, "weights." + id + ": " + w + " (expected: 0..10000)");
        });
        routing = routing == null ? Routing.NONE : routing;
        timeouts = copy(timeouts);
        timeouts.forEach((method, ms) -> {
            checkMethodKey("timeouts", method);
            check(
                    ms != null && ms >= 1 && ms <= MAX_MILLIS,
                    "timeouts." + method + ": " + ms + " (expected: 1.." + MAX_MILLIS + " ms)");
        });
        serverLimits = copy(serverLimits);
        serverLimits.forEach((method, limit) -> {
            checkMethodKey("serverLimits", method);
            check(limit != null, "serverLimits." + method + ": null (expected: an object)");
        });
        clientLimits = copy(clientLimits);
        clientLimits.forEach((method, limit) -> {
            checkMethodKey("clientLimits", method);
            check(limit != null, "clientLimits." + method + ": null (expected: an object)");
        });
        degrade = list("degrade", degrade);
        for (String method : degrade) {
            checkMethodKey("degrade", method);
        }
    }

    /**
     * Version and group selection and weighted splits.
     *
     * @param versions version patterns a provider must match (exact {@code 1.4.0}, wildcard {@code
     *     2.*}, or {@code *}); empty: any version
     * @param group the group a provider must be in; absent: any group
     * @param splits weighted splits, e.g. 5% of calls to version {@code 2.*}
     * @param splitKeyHeader the request header whose hash chooses the split (sticky per key); absent:
     *     random per call
     * @param enforced whether {@code versions} and {@code group} hold for every call: a caller's
     *     per-call version or group (metadata) can then only narrow them, never select a provider
     *     they exclude; absent or false: a per-call choice replaces them
     */
    public record Routing(
            List<String> versions, String group, List<Split> splits, String splitKeyHeader, Boolean enforced) {
        static final Routing NONE = new Routing(null, null, null, null, null);

        /** Whether the rule's selection holds whatever the caller asks. */
        public boolean isEnforced() {
            return Boolean.TRUE.equals(enforced);
        }

        /** Checks patterns and percentages. */
        public Routing {
            versions = list("routing.versions", versions);
            for (String v : versions) {
                VersionPattern.parse(v); // throws with the reason
            }
            splits = list("routing.splits", splits);
            double sum = 0;
            for (Split s : splits) {
                sum += s.percent();
            }
            check(sum <= 100.0 + 1e-9, "routing.splits: percentages add up to " + sum + " (expected: <= 100)");
            if (splitKeyHeader != null) {
                check(!splitKeyHeader.isEmpty(), "routing.splitKeyHeader: empty (expected: a metadata key)");
            }
        }
    }

    /**
     * One weighted split: {@code percent} of calls go to the providers matching {@code version} or
     * carrying {@code tag}; the rest go to the providers no split selects.
     *
     * @param version a version pattern, or absent
     * @param tag a tag, or absent (exactly one of version and tag)
     * @param percent the share of calls, in (0, 100]
     */
    public record Split(String version, String tag, Double percent) {
        /** Checks the selector and the percentage. */
        public Split {
            check((version == null) != (tag == null), "split: give exactly one of \"version\" and \"tag\"");
            if (version != null) {
                VersionPattern.parse(version);
            }
            if (tag != null) {
                check(!tag.isEmpty(), "split.tag: empty (expected: a tag)");
            }
            check(
                    percent != null && percent > 0 && percent <= 100,
                    "split.percent: " + percent + " (expected: > 0 and <= 100)");
        }
    }

    /**
     * The retry policy of the service.
     *
     * @param maxAttempts attempts per call, including the first, 1..10
     * @param retryOn status codes retried for every method
     * @param retryIdempotentOn status codes retried only for idempotent methods
     * @param budgetPercent the extra load retries may add, 0..100 percent of calls
     * @param attemptTimeoutMillis the timeout of each attempt, within the call's deadline
     * @param backoffMillis the wait before the first retry, doubling for each further one
     * @param maxBackoffMillis the longest wait between attempts
     */
    public record Retry(
            Integer maxAttempts,
            List<String> retryOn,
            List<String> retryIdempotentOn,
            Double budgetPercent,
            Long attemptTimeoutMillis,
            Long backoffMillis,
            Long maxBackoffMillis) {
        /** Checks ranges and codes. */
        public Retry {
            if (maxAttempts != null) {
                check(
                        maxAttempts >= 1 && maxAttempts <= 10,
                        "retry.maxAttempts: " + maxAttempts + " (expected: 1..10)");
            }
            if (retryOn != null) {
                codes("retry.retryOn", retryOn);
            }
            if (retryIdempotentOn != null) {
                codes("retry.retryIdempotentOn", retryIdempotentOn);
            }
            if (budgetPercent != null) {
                check(
                        budgetPercent >= 0 && budgetPercent <= 100,
                        "retry.budgetPercent: " + budgetPercent + " (expected: 0..100)");
            }
            if (attemptTimeoutMillis != null) {
                check(
                        attemptTimeoutMillis >= 1 && attemptTimeoutMillis <= MAX_MILLIS,
                        "retry.attemptTimeoutMillis: " + attemptTimeoutMillis + " (expected: 1.." + MAX_MILLIS + ")");
            }
            if (backoffMillis != null) {
                check(
                        backoffMillis >= 0 && backoffMillis <= 60_000,
                        "retry.backoffMillis: " + backoffMillis + " (expected: 0..60000)");
            }
            if (maxBackoffMillis != null) {
                check(
                        maxBackoffMillis >= 0 && maxBackoffMillis <= 60_000,
                        "retry.maxBackoffMillis: " + maxBackoffMillis + " (expected: 0..60000)");
            }
        }
    }

    /**
     * Circuit breaker thresholds.
     *
     * @param failureRatePercent the failure rate that opens the breaker, (0, 100]
     * @param minimumCalls calls recorded before the rate is judged, 1..windowSize
     * @param windowSize the number of most recent calls the rate covers, 1..10000
     * @param openMillis how long the breaker stays open before probing
     * @param halfOpenCalls probe calls in the half-open state, 1..1000
     * @param slowCallMillis calls slower than this count as slow
     * @param slowCallRatePercent the slow-call rate that opens the breaker, (0, 100]
     * @param failureCodes the status codes counted as failures
     * @param consecutiveFailures failures in a row that open the breaker whatever the rate, 0..10000;
     *     0 turns that off
     */
    public record Breaker(
            Double failureRatePercent,
            Integer minimumCalls,
            Integer windowSize,
            Long openMillis,
            Integer halfOpenCalls,
            Long slowCallMillis,
            Double slowCallRatePercent,
            List<String> failureCodes,
            Integer consecutiveFailures) {
        /** Checks ranges and codes. */
        public Breaker {
            if (failureRatePercent != null) {
                check(
                        failureRatePercent > 0 && failureRatePercent <= 100,
                        "failureRatePercent: " + failureRatePercent + " (expected: > 0 and <= 100)");
            }
            if (windowSize != null) {
                check(windowSize >= 1 && windowSize <= 10_000, "windowSize: " + windowSize + " (expected: 1..10000)");
            }
            if (minimumCalls != null) {
                check(
                        minimumCalls >= 1 && minimumCalls <= 10_000,
                        "minimumCalls: " + minimumCalls + " (expected: 1..10000)");
            }
            if (openMillis != null) {
                check(
                        openMillis >= 1 && openMillis <= MAX_MILLIS,
                        "openMillis: " + openMillis + " (expected: 1.." + MAX_MILLIS + ")");
            }
            if (halfOpenCalls != null) {
                check(
                        halfOpenCalls >= 1 && halfOpenCalls <= 1000,
                        "halfOpenCalls: " + halfOpenCalls + " (expected: 1..1000)");
            }
            if (slowCallMillis != null) {
                check(
                        slowCallMillis >= 1 && slowCallMillis <= MAX_MILLIS,
                        "slowCallMillis: " + slowCallMillis + " (expected: 1.." + MAX_MILLIS + ")");
            }
            if (slowCallRatePercent != null) {
                check(
                        slowCallRatePercent > 0 && slowCallRatePercent <= 100,
                        "slowCallRatePercent: " + slowCallRatePercent + " (expected: > 0 and <= 100)");
            }
            if (failureCodes != null) {
                check(!failureCodes.isEmpty(), "failureCodes: empty (expected: at least one status code)");
                codes("failureCodes", failureCodes);
            }
            if (consecutiveFailures != null) {
                check(
                        consecutiveFailures >= 0 && consecutiveFailures <= 10_000,
                        "consecutiveFailures: " + consecutiveFailures + " (expected: 0..10000)");
            }
        }
    }

    /**
     * A rate limit and/or a concurrency limit.
     *
     * @param permitsPerSecond calls admitted per second, 1..1000000
     * @param maxConcurrent calls running at once, 1..100000
     */
    public record Limit(Integer permitsPerSecond, Integer maxConcurrent) {
        /** Checks ranges; at least one limit must be given. */
        public Limit {
            check(
                    permitsPerSecond != null || maxConcurrent != null,
                    "limit: give \"permitsPerSecond\", \"maxConcurrent\" or both");
            if (permitsPerSecond != null) {
                check(
                        permitsPerSecond >= 1 && permitsPerSecond <= 1_000_000,
                        "permitsPerSecond: " + permitsPerSecond + " (expected: 1..1000000)");
            }
            if (maxConcurrent != null) {
                check(
                        maxConcurrent >= 1 && maxConcurrent <= 100_000,
                        "maxConcurrent: " + maxConcurrent + " (expected: 1..100000)");
            }
        }
    }

    /** Parses status code names (case-insensitive); OK is refused. */
    static Set<Status.Code> codes(String field, List<String> names) {
        Set<Status.Code> codes = EnumSet.noneOf(Status.Code.class);
        for (String name : names) {
            check(name != null, field + ": null entry (expected: a status code name)");
            Status.Code code;
            try {
                code = Status.Code.valueOf(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                List<String> known = new ArrayList<>();
                for (Status.Code c : Status.Code.values()) {
                    if (c != Status.Code.OK) {
                        known.add(c.name());
                    }
                }
                throw new IllegalArgumentException(
                        field + ": unknown status code \"" + name + "\" (expected one of " + known + ")");
            }
            check(code != Status.Code.OK, field + ": OK (expected: a failure code)");
            codes.add(code);
        }
        return codes;
    }

    /** An immutable copy of {@code list}; absent is empty, a null entry is an error. */
    private static <T> List<T> list(String field, List<T> list) {
        if (list == null) {
            return List.of();
        }
        for (T t : list) {
            check(t != null, field + ": null entry");
        }
        return List.copyOf(list);
    }

    private static void checkMethodKey(String field, String method) {
        check(
                method != null && !method.isEmpty() && method.indexOf('/') < 0,
                field + ": \"" + method + "\" (expected: a method name or \"*\")");
    }

    private static <V> Map<String, V> copy(Map<String, V> map) {
        // LinkedHashMap keeps null values visible to the checks (Map.copyOf would throw a bare NPE).
        return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }

    static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
