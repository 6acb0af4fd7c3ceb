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
 * service without traffic. Thread-safe, lock-free and allocation-free.
 */
public final class WeightedRandomBalancer implements LoadBalancer {

    private final Weigher weigher;
    private final Supplier<RandomGenerator> random;

    /** A balancer weighing with {@code weigher} and drawing from {@code random}. */
    public WeightedRandomBalancer(Weigher weigher, Supplier<RandomGenerator> random) {
        this.weigher = weigher;
        this.random = random;
    }

    @Override
    public Endpoint pick(List<Endpoint> candidates, RpcRequest request) {
        return pick(candidates, weigher, weigher.rules(), random.get());
    }

    static Endpoint pick(List<Endpoint> candidates, Weigher weigher, ServiceRules rules, RandomGenerator rnd) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        double total = 0;
        for (int i = 0; i < n; i++) {
            total += weigher.weight(candidates.get(i), rules);
        }
        if (total <= 0) {
            return candidates.get(rnd.nextInt(n));
        }
        double x = rnd.nextDouble() * total;
        Endpoint last = null;
        for (int i = 0; i < n; i++) {
            Endpoint e = candidates.get(i);
            double w = weigher.weight(e, rules);
            if (w > 0) {
                last = e;
                x -= w;
                if (x < 0) {
                    return e;
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
