package io.outrigger.observability;

import io.outrigger.core.Status;
import java.util.Locale;

/**
 * Why a call was refused without running, as counted by {@code outrigger.client.calls.rejected} and
 * {@code outrigger.server.calls.rejected}.
 *
 * <p>Outrigger components report refusals as statuses, so the reason is read from the status: its
 * code must be {@code RESOURCE_EXHAUSTED} or {@code UNAVAILABLE}, and its description must contain
 * one of the phrases below (case-insensitive). The first match wins, in the order listed.
 *
 * <pre>{@code
 * RejectionReason.of(Status.RESOURCE_EXHAUSTED.withDescription("demo.X/m: rate limit of 100/s exceeded"))
 *     // RATE_LIMIT
 * }</pre>
 */
public enum RejectionReason {
    /** A rate limiter refused the call: the description contains {@code "rate limit"}. */
    RATE_LIMIT("rate_limit", "rate limit"),
    /** A bulkhead (concurrency limit) refused the call: the description contains {@code "bulkhead"}. */
    BULKHEAD("bulkhead", "bulkhead"),
    /** An open circuit breaker refused the call: the description contains {@code "breaker"}. */
    BREAKER_OPEN("breaker_open", "breaker"),
    /** The server's business executor was full: the description contains {@code "server busy"}. */
    SERVER_BUSY("server_busy", "server busy");

    private static final RejectionReason[] VALUES = values();

    private final String value;
    private final String phrase;

    RejectionReason(String value, String phrase) {
        this.value = value;
        this.phrase = phrase;
    }

    /** The attribute value, e.g. {@code rate_limit}. */
    public String value() {
        return value;
    }

    /** The reason {@code status} reports, or {@code null} if it is not a refusal. */
    public static RejectionReason of(Status status) {
        Status.Code code = status.code();
        if (code != Status.Code.RESOURCE_EXHAUSTED && code != Status.Code.UNAVAILABLE) {
            return null;
        }
        String description = status.description();
        if (description == null) {
            return null;
        }
        String d = description.toLowerCase(Locale.ROOT);
        for (RejectionReason reason : VALUES) {
            if (d.contains(reason.phrase)) {
                return reason;
            }
        }
        return null;
    }
}
