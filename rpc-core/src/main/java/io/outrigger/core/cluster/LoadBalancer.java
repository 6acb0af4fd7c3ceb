package io.outrigger.core.cluster;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import java.util.List;

/**
 * Picks the endpoint for one call among the candidates the routers left.
 *
 * <p>A client creates one balancer per referenced service through a {@link Factory}, so a balancer
 * may keep per-endpoint state (round-robin counters, latency averages). {@link #pick} runs on the
 * request path of every call: keep it allocation-free and lock-free. Thread-safe.
 */
public interface LoadBalancer {

    /**
     * The endpoint for {@code request}.
     *
     * @param candidates available endpoints, never empty; do not modify
     * @return one of {@code candidates}
     */
    Endpoint pick(List<Endpoint> candidates, RpcRequest request);

    /**
     * Told how a call sent to {@code endpoint} ended, with its latency. Balancers that learn from
     * latency or errors override it; the default does nothing.
     */
    default void onResult(Endpoint endpoint, RpcResponse response, long latencyNanos) {}

    /** Creates the balancer of one service. */
    @FunctionalInterface
    interface Factory {
        LoadBalancer create(String service);
    }
}
