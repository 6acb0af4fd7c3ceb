package io.outrigger.governance.internal;

import io.outrigger.core.cluster.Endpoint;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * What a balancer derives from one list of candidates, so that a pick does not redo it: the
 * endpoints, their weights once warm (the rule override or the announced weight, which needs the
 * instance id, a string built on each call), the prefix sums of those weights, and each endpoint's
 * balancer state.
 *
 * <p>Built by {@link CandidateSnapshots} when the list or the rules change. While an endpoint of the
 * list is still warming up, {@link #weight(int)} scales that endpoint's weight by its age at each
 * read (the only part that changes with time), and {@link #warmUpOver()} tells when the snapshot
 * should be rebuilt without that work. Immutable and thread-safe; every read is allocation-free.
 *
 * @param <S> the per-endpoint state of the balancer ({@code Void} if it keeps none)
 */
final class CandidateSnapshot<S> {

    private final List<Endpoint> list;
    private final ServiceRules rules;
    private final Weigher weigher;
    private final Endpoint[] endpoints;
    private final int[] fullWeights;
    private final double[] cumulative;
    private final int lastPositive;
    private final int youngestWarming;
    private final Object[] states;
    private final IdentityHashMap<Endpoint, Object> stateOf;
    // What a balancer derives from these candidates and keeps with them (the hash ring); set once, racily.
    private volatile Object derived;

    CandidateSnapshot(List<Endpoint> list, ServiceRules rules, Weigher weigher, EndpointStates<S> stateStore) {
        this.list = list;
        this.rules = rules;
        this.weigher = weigher;
        int n = list.size();
        this.endpoints = list.toArray(new Endpoint[0]);
        this.fullWeights = new int[n];
        this.cumulative = new double[n];
        int positive = -1;
        int youngest = -1;
        long youngestAge = Long.MAX_VALUE;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            Endpoint e = endpoints[i];
            int w = weigher.fullWeight(e, rules);
            fullWeights[i] = w;
            sum += w;
            cumulative[i] = sum;
            if (w > 0) {
                positive = i;
                long age = e.ageNanos();
                if (weigher.warming(age) && age < youngestAge) {
                    youngest = i;
                    youngestAge = age;
                }
            }
        }
        this.lastPositive = positive;
        this.youngestWarming = youngest;
        if (stateStore == null) {
            this.states = null;
            this.stateOf = null;
        } else {
            this.states = new Object[n];
            this.stateOf = new IdentityHashMap<>(n * 2);
            for (int i = 0; i < n; i++) {
                states[i] = stateStore.get(endpoints[i]);
                stateOf.put(endpoints[i], states[i]);
            }
        }
    }

    /** Whether this snapshot describes {@code candidates} under {@code current} rules. */
    boolean describes(List<Endpoint> candidates, ServiceRules current) {
        if (current != rules) {
            return false;
        }
        if (candidates == list) {
            return true;
        }
        // Routers that drop nothing pass the same list on; one that filters builds a new list per
        // call, often with the same endpoints: compare them by identity, without allocating.
        int n = candidates.size();
        if (n != endpoints.length) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (candidates.get(i) != endpoints[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether every endpoint that was warming up when this snapshot was built is warm now (endpoints
     * age together, so it is enough to watch the youngest): a rebuilt snapshot then skips the
     * per-read scaling.
     */
    boolean warmUpOver() {
        return youngestWarming >= 0 && !weigher.warming(endpoints[youngestWarming].ageNanos());
    }

    /** Whether some weight is still being scaled by warm-up. */
    boolean warming() {
        return youngestWarming >= 0;
    }

    int size() {
        return endpoints.length;
    }

    Endpoint endpoint(int i) {
        return endpoints[i];
    }

    /** The effective weight of endpoint {@code i} now (see {@link Weigher}); 0: no traffic. */
    double weight(int i) {
        int w = fullWeights[i];
        return youngestWarming < 0 ? w : weigher.warm(w, endpoints[i].ageNanos());
    }

    /** The sum of the weights once warm. */
    double totalFullWeight() {
        return cumulative[cumulative.length - 1];
    }

    /**
     * The index of the endpoint owning {@code x} in {@code [0, totalFullWeight())} when the weights
     * once warm are laid end to end: weighted random in O(log n). Endpoints of weight 0 own nothing.
     */
    int indexOfFullWeight(double x) {
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] > x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        // x rounded up to the total: the last endpoint that owns anything.
        return cumulative[lo] > x ? lo : lastPositive;
    }

    /**
     * What the balancer derived from these candidates and attached with {@link #derive(Object)}, or
     * {@code null}: it lives as long as this snapshot is cached, so a balancer keeps one per list in use.
     */
    Object derived() {
        return derived;
    }

    /** Attaches what the balancer derived from these candidates (racing threads attach equivalent values). */
    void derive(Object value) {
        this.derived = value;
    }

    /** The balancer state of endpoint {@code i}. */
    @SuppressWarnings("unchecked")
    S state(int i) {
        return (S) states[i];
    }

    /** The balancer state of {@code endpoint} if it is in this snapshot, else {@code null}. */
    @SuppressWarnings("unchecked")
    S state(Endpoint endpoint) {
        return (S) stateOf.get(endpoint);
    }
}
