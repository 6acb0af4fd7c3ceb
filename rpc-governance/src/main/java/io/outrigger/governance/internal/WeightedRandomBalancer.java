package io.outrigger.governance.internal;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.LoadBalancer;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Picks an endpoint at random with probability proportional to its effective weight (see {@link
 * Weigher}). When every weight is zero it picks uniformly, so a misconfigured rule never leaves a
 * service without traffic.
 *
 * <p>The weights of a candidate list are summed once per list ({@link CandidateSnapshot}); a pick is
 * then one random number and a binary search. While an endpoint warms up, a pick sums the current
 * weights instead. Thread-safe, lock-free and allocation-free.
 */
public final class WeightedRandomBalancer implements LoadBalancer {

    private final CandidateSnapshots<Void> snapshots;
    private final Supplier<RandomGenerator> random;

    /** A balancer weighing with {@code weigher} and drawing from {@code random}. */
    public WeightedRandomBalancer(Weigher weigher, Supplier<RandomGenerator> random) {
        this.snapshots = new CandidateSnapshots<>(weigher);
        this.random = random;
    }

    @Override
    public Endpoint pick(List<Endpoint> candidates, RpcRequest request) {
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        return pick(snapshots.of(candidates), random.get());
    }

    static Endpoint pick(CandidateSnapshot<?> s, RandomGenerator rnd) {
        int n = s.size();
        if (!s.warming()) {
            double total = s.totalFullWeight();
            return total > 0 ? s.endpoint(s.indexOfFullWeight(rnd.nextDouble() * total)) : s.endpoint(rnd.nextInt(n));
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += s.weight(i);
        }
        if (total <= 0) {
            return s.endpoint(rnd.nextInt(n));
        }
        double x = rnd.nextDouble() * total;
        Endpoint last = null;
        for (int i = 0; i < n; i++) {
            double w = s.weight(i);
            if (w > 0) {
                last = s.endpoint(i);
                x -= w;
                if (x < 0) {
                    return last;
                }
            }
        }
        // Rounding (or an endpoint aging between the two passes) left x just above zero.
        return last;
    }

    @Override
    public String toString() {
        return "weighted-random";
    }
}
