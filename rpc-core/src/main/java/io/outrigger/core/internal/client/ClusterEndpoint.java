package io.outrigger.core.internal.client;

import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.internal.transport.PeerConnections;
import io.outrigger.core.registry.ServiceInstance;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/** A provider instance of one service, calling it over the shared connections to its address. */
final class ClusterEndpoint implements Endpoint {

    final ServiceInstance instance;
    final PeerConnections peer;
    /**
     * This endpoint wrapped by the client's endpoint-level interceptors, built once by the cluster
     * invoker before the endpoint is published (so every reader sees it set).
     */
    Invoker attempt = this;

    private final AtomicInteger inFlight;
    private final long firstSeenNanos;

    ClusterEndpoint(ServiceInstance instance, PeerConnections peer) {
        this(instance, peer, new AtomicInteger(), System.nanoTime());
    }

    private ClusterEndpoint(
            ServiceInstance instance, PeerConnections peer, AtomicInteger inFlight, long firstSeenNanos) {
        this.instance = instance;
        this.peer = peer;
        this.inFlight = inFlight;
        this.firstSeenNanos = firstSeenNanos;
    }

    /** The same provider with changed registry data (weight, tags): keeps its age and counters. */
    ClusterEndpoint withInstance(ServiceInstance changed) {
        return new ClusterEndpoint(changed, peer, inFlight, firstSeenNanos);
    }

    @Override
    public CompletionStage<RpcResponse> invoke(RpcRequest request) {
        return peer.send(request, inFlight);
    }

    @Override
    public ServiceInstance instance() {
        return instance;
    }

    @Override
    public boolean isAvailable() {
        return peer.isAvailable();
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public long ageNanos() {
        return System.nanoTime() - firstSeenNanos;
    }

    @Override
    public String toString() {
        return instance.toString();
    }
}
