package io.outrigger.governance.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.outrigger.governance.BreakerListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Forwards a breaker's state transitions to the configured {@link BreakerListener}, shielding the call from it. */
final class BreakerEvents {

    private static final Logger log = LoggerFactory.getLogger(BreakerEvents.class);

    private BreakerEvents() {}

    /** Tells {@code listener} of every transition of {@code breaker}. */
    static void forward(CircuitBreaker breaker, BreakerListener listener) {
        breaker.getEventPublisher().onStateTransition(event -> {
            try {
                listener.onStateTransition(
                        event.getCircuitBreakerName(),
                        event.getStateTransition().getFromState().name(),
                        event.getStateTransition().getToState().name());
            } catch (RuntimeException e) {
                log.warn("Breaker listener failed on {} ({}); ignored", event.getCircuitBreakerName(), event, e);
            }
        });
    }
}
