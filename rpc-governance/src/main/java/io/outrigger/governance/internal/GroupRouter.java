package io.outrigger.governance.internal;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.Router;
import java.util.List;

/**
 * Keeps the providers of one group: the service's rules ({@code routing.group}) if they name one,
 * else the group configured in code. No group, or {@code *}: no filtering. May leave nothing.
 * Thread-safe.
 */
public final class GroupRouter implements Router {

    private final String configured;
    private final RuleStore store;

    /** Keeps group {@code configured} ({@code null}: any) unless the rules say otherwise. */
    public GroupRouter(String configured, RuleStore store) {
        this.configured = configured;
        this.store = store;
    }

    @Override
    public List<Endpoint> route(List<Endpoint> endpoints, RpcRequest request) {
        String group = store.current(request.service()).group();
        if (group == null) {
            group = configured;
        }
        if (group == null || group.equals("*")) {
            return endpoints;
        }
        String g = group;
        return Routes.filter(endpoints, e -> e.instance().group().equals(g));
    }

    @Override
    public String toString() {
        return "group router (group=" + (configured == null ? "*" : configured)
                + ", or as the service's routing rules say)";
    }
}
