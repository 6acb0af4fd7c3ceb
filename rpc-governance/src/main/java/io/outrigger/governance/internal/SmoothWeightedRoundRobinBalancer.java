package io.outrigger.governance.internal;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.LoadBalancer;
import java.util.List;

/**
 * Nginx's smooth weighted round robin: each pick adds every candidate's effective weight to its
 * running score, takes the highest score and subtracts the total from it. Weights 5, 1, 1 give
 * {@code a a b a c a a} rather than {@code a a a a a b c}: the heavy endpoint's turns are spread out.
 *
 * <p>Deterministic. Thread-safe: a pick holds this balancer's lock for one pass over the
 * candidates (the scores must move together for the sequence to stay smooth).
 */
public final class SmoothWeightedRoundRobinBalancer implements LoadBalancer {

    private final Weigher weigher;
    private final EndpointStates<double[]> scores = new EndpointStates<>(() -> new double[1]);
    private long zeroWeightTurn; // guarded by this

    /** A balancer weighing with {@code weigher}. */
    public SmoothWeightedRoundRobinBalancer(Weigher weigher) {
        this.weigher = weigher;
    }

    @Override
    public Endpoint pick(List<Endpoint> candidates, RpcRequest request) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        ServiceRules rules = weigher.rules();
        synchronized (this) {
            double total = 0;
            Endpoint best = null;
            double[] bestScore = null;
            for (int i = 0; i < n; i++) {
                Endpoint e = candidates.get(i);
                double w = weigher.weight(e, rules);
                if (w <= 0) {
                    continue;
                }
                double[] score = scores.get(e);
                score[0] += w;
                total += w;
                if (bestScore == null || score[0] > bestScore[0]) {
                    best = e;
                    bestScore = score;
                }
            }
            if (best == null) {
                // Every weight is zero: plain round robin, so traffic still flows.
                return candidates.get((int) Math.floorMod(zeroWeightTurn++, (long) n));
            }
            bestScore[0] -= total;
            return best;
        }
    }

    @Override
    public String toString() {
        return "smooth-weighted-round-robin";
    }
}
