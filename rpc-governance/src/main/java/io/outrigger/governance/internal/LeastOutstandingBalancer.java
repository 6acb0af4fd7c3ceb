package io.outrigger.governance.internal;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.LoadBalancer;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Picks the endpoint with the fewest calls in flight ({@link Endpoint#inFlight()}) relative to its
 * effective weight: the lowest {@code (inFlight + 1) / weight}. The scan starts at a random
 * candidate so that ties (common at low load) are broken at random rather than always in favour of
 * the first endpoint. Weights come from the list's {@link CandidateSnapshot}. Thread-safe, lock-free
 * and allocation-free.
 */
public final class LeastOutstandingBalancer implements LoadBalancer {

    private final CandidateSnapshots<Void> snapshots;
    private final Supplier<RandomGenerator> random;

    /** A balancer weighing with {@code weigher} and breaking ties with {@code random}. */
    public LeastOutstandingBalancer(Weigher weigher, Supplier<RandomGenerator> random) {
        this.snapshots = new CandidateSnapshots<>(weigher);
        this.random = random;
    }

    @Override
    public Endpoint pick(List<Endpoint> candidates, RpcRequest request) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        CandidateSnapshot<Void> s = snapshots.of(candidates);
        int start = random.get().nextInt(n);
        int best = start;
        double bestScore = Double.MAX_VALUE;
        for (int k = 0, i = start; k < n; k++, i = i + 1 == n ? 0 : i + 1) {
            double w = s.weight(i);
            double score = w > 0 ? (s.endpoint(i).inFlight() + 1) / w : Double.MAX_VALUE / 2;
            if (score < bestScore) {
                best = i;
                bestScore = score;
            }
        }
        return s.endpoint(best);
    }

    @Override
    public String toString() {
        return "least-outstanding";
    }
}
