package io.outrigger.governance;

/**
 * Told of every state change of the client's circuit breakers: the per-method breakers (named
 * {@code service/method}) and the per-endpoint breakers of outlier ejection (named {@code
 * service@host:port}). States are Resilience4j's names: {@code CLOSED}, {@code OPEN}, {@code
 * HALF_OPEN}, and rarely {@code FORCED_OPEN}, {@code DISABLED}, {@code METRICS_ONLY}.
 *
 * <p>Called on the thread of the call that caused the change, so it must be quick and must not
 * block; a listener that throws is logged and ignored. rpc-observability's {@code
 * OutriggerTelemetry::recordBreakerTransition} fits:
 *
 * <pre>{@code
 * ClientGovernance.builder().breakerListener(telemetry::recordBreakerTransition)
 * }</pre>
 */
@FunctionalInterface
public interface BreakerListener {

    /** Breaker {@code breaker} went from state {@code from} to state {@code to}. */
    void onStateTransition(String breaker, String from, String to);

    /** A listener that does nothing. */
    static BreakerListener none() {
        return (breaker, from, to) -> {};
    }
}
