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
    /** Whether the registry lost the instance and it is kept while its connection works. */
    final boolean held;
    /** When the hold began (System.nanoTime), if held. */
    final long heldSinceNanos;

    ClusterEndpoint(ServiceInstance instance, PeerConnections peer) {
        this(instance, peer, new AtomicInteger(), System.nanoTime(), false, 0);
    }

    private ClusterEndpoint(
            ServiceInstance instance,
            PeerConnections peer,
            AtomicInteger inFlight,
            long firstSeenNanos,
            boolean held,
            long heldSinceNanos) {
        this.instance = instance;
        this.peer = peer;
        this.inFlight = inFlight;
        this.firstSeenNanos = firstSeenNanos;
        this.held = held;
        this.heldSinceNanos = heldSinceNanos;
    }

    /** The same provider with changed registry data (weight, tags): keeps its age and counters; not held. */
    ClusterEndpoint withInstance(ServiceInstance changed) {
        return new ClusterEndpoint(changed, peer, inFlight, firstSeenNanos, false, 0);
    }

    /** The same provider, lost by the registry at {@code sinceNanos} and kept while connected. */
    ClusterEndpoint heldSince(long sinceNanos) {
        return new ClusterEndpoint(instance, peer, inFlight, firstSeenNanos, true, sinceNanos);
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
        // A held endpoint is called only over the connection that vouches for it, never a new one.
        return held ? peer.connected() : peer.isAvailable();
    }

    @Override
    public boolean isHeld() {
        return held;
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
