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
 * <p>Deterministic. Scores are kept per instance id; weights and scores of a candidate list are
 * looked up once per list ({@link CandidateSnapshot}), so a pick is one pass over arrays. Thread-safe:
 * a pick holds this balancer's lock for that pass (the scores must move together for the sequence
 * to stay smooth). Allocation-free.
 */
public final class SmoothWeightedRoundRobinBalancer implements LoadBalancer {

    private final CandidateSnapshots<double[]> snapshots;
    private long zeroWeightTurn; // guarded by this

    /** A balancer weighing with {@code weigher}. */
    public SmoothWeightedRoundRobinBalancer(Weigher weigher) {
        this.snapshots = new CandidateSnapshots<>(weigher, () -> new double[1]);
    }

    @Override
    public Endpoint pick(List<Endpoint> candidates, RpcRequest request) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        CandidateSnapshot<double[]> s = snapshots.of(candidates);
        synchronized (this) {
            double total = 0;
            int best = -1;
            double bestScore = 0;
            for (int i = 0; i < n; i++) {
                double w = s.weight(i);
                if (w <= 0) {
                    continue;
                }
                double[] score = s.state(i);
                double next = score[0] + w;
                score[0] = next;
                total += w;
                if (best < 0 || next > bestScore) {
                    best = i;
                    bestScore = next;
                }
            }
            if (best < 0) {
                // Every weight is zero: plain round robin, so traffic still flows.
                return s.endpoint((int) Math.floorMod(zeroWeightTurn++, (long) n));
            }
            s.state(best)[0] -= total;
            return s.endpoint(best);
        }
    }

    @Override
    public String toString() {
        return "smooth-weighted-round-robin";
    }
}
