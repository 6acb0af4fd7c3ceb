package io.outrigger.core.cluster;

import io.outrigger.core.RpcRequest;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Takes the candidates in turn, ignoring weights. The default balancer of rpc-core; rpc-governance
 * adds weighted, latency-aware and hashing balancers.
 *
 * <p>Thread-safe and allocation-free: one atomic increment per pick.
 */
public final class RoundRobinLoadBalancer implements LoadBalancer {

    /** Creates one balancer per service. */
    public static final LoadBalancer.Factory FACTORY = service -> new RoundRobinLoadBalancer();

    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Endpoint pick(List<Endpoint> candidates, RpcRequest request) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        return candidates.get(Math.floorMod(next.getAndIncrement(), n));
    }

    @Override
    public String toString() {
        return "round-robin";
    }
}
