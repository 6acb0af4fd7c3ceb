package io.outrigger.governance;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import java.util.Objects;
import java.util.function.Function;

/**
 * What the retry layer does with a failed call. Immutable.
 *
 * <ul>
 *   <li>{@link #failover()} (the default): retry on another endpoint as the {@link RetryPolicy}
 *       allows, within the retry budget and the deadline.
 *   <li>{@link #failfast()}: one attempt; for non-idempotent writes that must never run twice.
 *   <li>{@link #failsafe(Function)}: one attempt; a failure is logged and replaced by a default
 *       response you give, for calls the caller can do without (audit logs).
 *   <li>{@link #forking(int)}: send to N endpoints at once, first success wins; for latency-critical
 *       idempotent reads, at N times the load.
 * </ul>
 */
public final class ClusterStrategy {

    enum Kind {
        FAILOVER,
        FAILFAST,
        FAILSAFE,
        FORKING
    }

    private static final ClusterStrategy FAILOVER = new ClusterStrategy(Kind.FAILOVER, 0, null);
    private static final ClusterStrategy FAILFAST = new ClusterStrategy(Kind.FAILFAST, 0, null);

    private final Kind kind;
    private final int forks;
    private final Function<RpcRequest, RpcResponse> failsafeDefault;

    private ClusterStrategy(Kind kind, int forks, Function<RpcRequest, RpcResponse> failsafeDefault) {
        this.kind = kind;
        this.forks = forks;
        this.failsafeDefault = failsafeDefault;
    }

    /** Retry on another endpoint, per the {@link RetryPolicy}. The default. */
    public static ClusterStrategy failover() {
        return FAILOVER;
    }

    /** One attempt, never retried. */
    public static ClusterStrategy failfast() {
        return FAILFAST;
    }

    /**
     * One attempt; on failure, answer {@code defaultResponse.apply(request)} instead (logged at
     * WARN). Give a real response, e.g. {@code req -> RpcResponse.ok(Payload.of(Ack.getDefaultInstance()))}:
     * an OK without a message would only fail later, in the proxy's decoding.
     */
    public static ClusterStrategy failsafe(Function<RpcRequest, RpcResponse> defaultResponse) {
        return new ClusterStrategy(Kind.FAILSAFE, 0, Objects.requireNonNull(defaultResponse, "defaultResponse"));
    }

    /**
     * Send each call to {@code forks} endpoints at once (2..10) and answer with the first success.
     * Forks are not limited by the retry budget.
     */
    public static ClusterStrategy forking(int forks) {
        if (forks < 2 || forks > 10) {
            throw new IllegalArgumentException("forks: " + forks + " (expected: 2..10)");
        }
        return new ClusterStrategy(Kind.FORKING, forks, null);
    }

    Kind kind() {
        return kind;
    }

    int forks() {
        return forks;
    }

    Function<RpcRequest, RpcResponse> failsafeDefault() {
        return failsafeDefault;
    }

    @Override
    public String toString() {
        return kind == Kind.FORKING ? "forking(" + forks + ")" : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
