package io.outrigger.governance.internal;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.Router;
import java.util.List;

/**
 * Zone affinity with spill-over: calls stay in the caller's zone while enough of it is healthy,
 * and go to every zone when it is not.
 *
 * <p>The local zone's healthy share is the fraction of its endpoints that are available ({@link
 * Endpoint#isAvailable()}) and not ejected by their circuit breaker. While it is at least {@code
 * minHealthyShare}, only local endpoints are kept; below it (or with no local endpoint) all
 * endpoints are kept, so the remaining local capacity is not overwhelmed by the whole zone's
 * traffic. Never leaves nothing. Thread-safe.
 */
public final class ZoneRouter implements Router {

    private final String zone;
    private final double minHealthyShare;
    private final EndpointHealth health;

    /**
     * @param zone the caller's zone
     * @param minHealthyShare the local healthy share below which calls spill over, 0..1
     * @param health circuit breakers of endpoints, or {@code null}
     */
    public ZoneRouter(String zone, double minHealthyShare, EndpointHealth health) {
        this.zone = zone;
        this.minHealthyShare = minHealthyShare;
        this.health = health;
    }

    @Override
    public List<Endpoint> route(List<Endpoint> endpoints, RpcRequest request) {
        int local = 0;
        int healthy = 0;
        for (int i = 0; i < endpoints.size(); i++) {
            Endpoint e = endpoints.get(i);
            if (zone.equals(e.instance().zone())) {
                local++;
                if (e.isAvailable() && (health == null || !health.isEjected(request.service(), e))) {
                    healthy++;
                }
            }
        }
        if (local == endpoints.size() || healthy == 0 || healthy < minHealthyShare * local) {
            return endpoints;
        }
        return Routes.filter(endpoints, e -> zone.equals(e.instance().zone()));
    }

    @Override
    public String toString() {
        return "zone router (zone=" + zone + ", spill over below " + Math.round(minHealthyShare * 100) + "% healthy)";
    }
}
