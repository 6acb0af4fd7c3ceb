package io.outrigger.governance.internal;

import io.outrigger.core.cluster.Endpoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * The latest few {@link CandidateSnapshot}s of one balancer: a snapshot is reused while picks see the
 * same candidates under the same rules, and a new one is built when a pick sees a list none of them
 * describes (the registry's view changed, a router dropped someone, a rule arrived) or once when the
 * warm-up of its endpoints is over.
 *
 * <p>{@value #SLOTS} slots, because routers may hand consecutive calls different subsets: a canary
 * split sends some calls to the canary endpoints and the rest to the others, a tag or zone router
 * picks per request. Each subset keeps its snapshot, so alternating between them builds nothing. The
 * slot that matched last is tried first; a new snapshot replaces the slots in turn, never the one
 * used last, so a few lists in use stay and a list no longer seen is replaced soon. In steady state a
 * pick costs one volatile read and one reference comparison (a list rebuilt per call by a router: a
 * comparison of its elements by identity), a few more when it alternates between subsets; it never
 * allocates.
 *
 * <p>Per-endpoint state lives in an {@link EndpointStates} keyed by instance id, so it survives
 * rebuilds (an endpoint whose metadata changed keeps its latency estimate) and is shared by the
 * snapshots of overlapping subsets; a snapshot only holds references to it. Thread-safe: concurrent
 * rebuilds are equivalent, and a slot overwritten by another thread only costs a rebuild later.
 *
 * @param <S> the per-endpoint state of the balancer ({@code Void} if it keeps none)
 */
final class CandidateSnapshots<S> {

    /** How many candidate lists keep their snapshot: a few subsets in use at once, not a history. */
    static final int SLOTS = 4;

    private final Weigher weigher;
    private final EndpointStates<S> states;
    private final AtomicReferenceArray<CandidateSnapshot<S>> slots = new AtomicReferenceArray<>(SLOTS);
    // Racy hints, read and written plainly: a stale value only changes which slot is tried or replaced first.
    private int lastUsed;
    private int nextReplaced;

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
        int first = lastUsed;
        for (int k = 0; k < SLOTS; k++) {
            int i = (first + k) & (SLOTS - 1);
            CandidateSnapshot<S> s = slots.get(i);
            if (s != null && s.describes(candidates, rules)) {
                if (s.warmUpOver()) {
                    s = new CandidateSnapshot<>(candidates, rules, weigher, states);
                    slots.set(i, s);
                }
                if (i != first) {
                    lastUsed = i;
                }
                return s;
            }
        }
        CandidateSnapshot<S> s = new CandidateSnapshot<>(candidates, rules, weigher, states);
        int i = replaceable(first);
        slots.set(i, s);
        lastUsed = i;
        return s;
    }

    /** The slot a new snapshot goes to: an empty one, else the next in turn that was not used last. */
    private int replaceable(int used) {
        for (int i = 0; i < SLOTS; i++) {
            if (slots.get(i) == null) {
                return i;
            }
        }
        int i = nextReplaced & (SLOTS - 1);
        if (i == used) {
            i = (i + 1) & (SLOTS - 1);
        }
        nextReplaced = i + 1;
        return i;
    }

    /**
     * The state of {@code endpoint}: from a held snapshot (the one used last first) without allocating,
     * or (an endpoint in none of them, e.g. answering late after leaving the candidates) from the store.
     */
    S state(Endpoint endpoint) {
        int first = lastUsed;
        for (int k = 0; k < SLOTS; k++) {
            CandidateSnapshot<S> s = slots.get((first + k) & (SLOTS - 1));
            S state = s == null ? null : s.state(endpoint);
            if (state != null) {
                return state;
            }
        }
        return states.get(endpoint);
    }

    /** The state of {@code endpoint} if it has one, without creating it (for tests and metrics). */
    S peek(Endpoint endpoint) {
        return states.peek(endpoint);
    }

    /** The snapshots held now, for tests: at most {@value #SLOTS}. */
    int held() {
        int n = 0;
        for (int i = 0; i < SLOTS; i++) {
            if (slots.get(i) != null) {
                n++;
            }
        }
        return n;
    }
}
