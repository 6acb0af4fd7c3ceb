package io.outrigger.governance.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.IllegalStateTransitionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens a closed breaker after a run of consecutive failures, whatever its window says (Envoy's
 * {@code consecutive_5xx} outlier detection): a breaker judging rates over 20 calls never opens for
 * an endpoint that gets five calls a minute and fails them all. Thread-safe; a success ends the run.
 */
final class FailureRun {

    private final int limit;
    private final AtomicInteger run = new AtomicInteger();

    /** Opens after {@code limit} failures in a row; 0: never. */
    FailureRun(int limit) {
        this.limit = limit;
    }

    /**
     * Records a failure already recorded in {@code breaker}; returns whether this one completed a run
     * and opened it.
     */
    boolean failed(CircuitBreaker breaker) {
        if (limit == 0 || run.incrementAndGet() < limit) {
            return false;
        }
        run.set(0);
        if (breaker.getState() != CircuitBreaker.State.CLOSED) {
            return false; // the rate opened it, or it is probing: its own judgement stands
        }
        try {
            breaker.transitionToOpenState();
            return true;
        } catch (IllegalStateTransitionException raced) {
            return false; // another call moved it meanwhile
        }
    }

    /** Ends the run. */
    void succeeded() {
        if (limit != 0 && run.get() != 0) {
            run.set(0);
        }
    }

    /** The failures in a row that open the breaker; 0: off. */
    int limit() {
        return limit;
    }
}
