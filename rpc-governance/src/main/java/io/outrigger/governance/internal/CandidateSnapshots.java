package io.outrigger.governance.internal;

import io.outrigger.core.cluster.Endpoint;
import java.util.List;
import java.util.function.Supplier;

/**
 * The latest {@link CandidateSnapshot} of one balancer: reused while picks see the same candidates
 * under the same rules, rebuilt when either changes (the registry's view changed, a router dropped
 * someone, a rule arrived) and once when the warm-up of its endpoints is over. In steady state a pick
 * costs one volatile read and one reference comparison.
 *
 * <p>Per-endpoint state lives in an {@link EndpointStates} keyed by instance id, so it survives
 * rebuilds (an endpoint whose metadata changed keeps its latency estimate); a snapshot only holds
 * references to it. Thread-safe: concurrent rebuilds are equivalent and the last one wins.
 *
 * @param <S> the per-endpoint state of the balancer ({@code Void} if it keeps none)
 */
final class CandidateSnapshots<S> {

    private final Weigher weigher;
    private final EndpointStates<S> states;
    private volatile CandidateSnapshot<S> current;

    /** Snapshots without per-endpoint state. */
    CandidateSnapshots(Weigher weigher) {
        this.weigher = weigher;
        this.states = null;
    }

    /** Snapshots with per-endpoint state made by {@code newState} for each instance id first seen. */
    CandidateSnapshots(Weigher weigher, Supplier<S> newState) {
        this.weigher = weigher;
        this.states = new EndpointStates<>(newState);
    }

    /** The snapshot of {@code candidates} under the rules in force now. */
    CandidateSnapshot<S> of(List<Endpoint> candidates) {
        ServiceRules rules = weigher.rules();
        CandidateSnapshot<S> s = current;
        if (s == null || !s.describes(candidates, rules) || s.warmUpOver()) {
            s = new CandidateSnapshot<>(candidates, rules, weigher, states);
            current = s;
        }
        return s;
    }

    /**
     * The state of {@code endpoint}: from the current snapshot without allocating, or (an endpoint
     * no longer among the candidates, answering late) from the store.
     */
    S state(Endpoint endpoint) {
        CandidateSnapshot<S> s = current;
        S state = s == null ? null : s.state(endpoint);
        return state != null ? state : states.get(endpoint);
    }

    /** The state of {@code endpoint} if it has one, without creating it (for tests and metrics). */
    S peek(Endpoint endpoint) {
        return states.peek(endpoint);
    }
}
