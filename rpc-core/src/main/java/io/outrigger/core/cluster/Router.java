package io.outrigger.core.cluster;

import io.outrigger.core.RpcRequest;
import java.util.List;

/**
 * Narrows the endpoints a call may go to: by version, group, tag, canary weight, zone.
 *
 * <p>Routers run in order on every call, before the {@link LoadBalancer}: keep them cheap. An empty
 * result makes the call fail with {@code UNAVAILABLE} and a message naming the router (its {@code
 * toString}) and the request, so say in {@code toString} what the router selects. Thread-safe.
 */
@FunctionalInterface
public interface Router {

    /**
     * The endpoints {@code request} may use.
     *
     * @param endpoints the candidates (never modify the list); return it as is when nothing changes
     */
    List<Endpoint> route(List<Endpoint> endpoints, RpcRequest request);
}
