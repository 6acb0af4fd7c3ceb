package io.outrigger.core.cluster;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.Status;
import java.util.List;

/**
 * Narrows the endpoints a call may go to: by version, group, tag, canary weight, zone.
 *
 * <p>Routers run in order on every call, before the {@link LoadBalancer}: keep them cheap. An empty
 * result makes the call fail: with the status {@link #noMatch} gives, or by default {@code
 * UNAVAILABLE} and a message naming the router (its {@code toString}) and the request, so say in
 * {@code toString} what the router selects. Thread-safe.
 */
@FunctionalInterface
public interface Router {

    /**
     * The endpoints {@code request} may use.
     *
     * @param endpoints the candidates (never modify the list); return it as is when nothing changes
     */
    List<Endpoint> route(List<Endpoint> endpoints, RpcRequest request);

    /**
     * Why {@link #route} left {@code request} nothing, as the status the call ends with; called only
     * after it did (never on the success path), with the same candidates. Say what was asked for and
     * what exists, so that a person can act on it, e.g. {@code UNAVAILABLE: no provider of
     * demo.UserService matches version=3.* (per call); versions present: 1.0.0 (2), 2.0.0 (1)}; a
     * malformed per-call selector is {@code INVALID_ARGUMENT}.
     *
     * @return the status, or {@code null} (the default) for the cluster's generic {@code UNAVAILABLE}
     *     message naming this router and the candidates
     */
    default Status noMatch(List<Endpoint> endpoints, RpcRequest request) {
        return null;
    }
}
