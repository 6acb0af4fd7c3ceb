package io.outrigger.governance.internal;

import io.outrigger.core.CallAttributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.LoadBalancer;
import io.outrigger.core.cluster.Router;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The cluster invoker as the client will build it (rpc-core's is not written yet): routers in
 * order, an empty result failing with UNAVAILABLE naming the router; the balancer picks among
 * available endpoints not yet tried (while others remain); endpoint interceptors see ENDPOINT;
 * the balancer hears each result.
 */
public final class FakeCluster implements Invoker {

    private final List<? extends Endpoint> endpoints;
    private final List<Router> routers;
    private final LoadBalancer balancer;
    private final List<Interceptor> endpointInterceptors;

    public FakeCluster(
            List<? extends Endpoint> endpoints,
            List<Router> routers,
            LoadBalancer balancer,
            List<Interceptor> endpointInterceptors) {
        this.endpoints = endpoints;
        this.routers = routers;
        this.balancer = balancer;
        this.endpointInterceptors = endpointInterceptors;
    }

    /** A cluster over {@code endpoints} with no routers, round robin, no endpoint interceptors. */
    public static FakeCluster of(List<? extends Endpoint> endpoints) {
        return new FakeCluster(
                endpoints,
                List.of(),
                new io.outrigger.core.cluster.RoundRobinLoadBalancer(),
                List.of(AttemptRecord.RECORDER));
    }

    @Override
    public CompletionStage<RpcResponse> invoke(RpcRequest request) {
        List<Endpoint> candidates = new ArrayList<>(endpoints);
        for (Router router : routers) {
            candidates = router.route(candidates, request);
            if (candidates.isEmpty()) {
                return CompletableFuture.completedFuture(RpcResponse.failure(Status.UNAVAILABLE.withDescription(
                        "no provider of " + request.service() + " left by " + router)));
            }
        }
        List<Endpoint> available = new ArrayList<>();
        for (Endpoint e : candidates) {
            if (e.isAvailable()) {
                available.add(e);
            }
        }
        if (available.isEmpty()) {
            return CompletableFuture.completedFuture(
                    RpcResponse.failure(Status.UNAVAILABLE.withDescription("no available provider")));
        }
        Set<String> tried = request.attributes().getOrDefault(CallAttributes.TRIED_ENDPOINTS, Set.of());
        List<Endpoint> fresh = new ArrayList<>();
        for (Endpoint e : available) {
            if (!tried.contains(e.instance().id())) {
                fresh.add(e);
            }
        }
        Endpoint picked = balancer.pick(fresh.isEmpty() ? available : fresh, request);
        Invoker invoker = Invoker.decorate(picked, endpointInterceptors);
        long start = System.nanoTime();
        return invoker.invoke(request.withAttribute(CallAttributes.ENDPOINT, picked))
                .whenComplete((r, e) -> {
                    if (r != null) {
                        balancer.onResult(picked, r, System.nanoTime() - start);
                    }
                });
    }
}
