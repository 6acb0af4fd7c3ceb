package io.outrigger.governance.internal;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.Router;
import java.util.List;

/**
 * Keeps the providers whose version matches one of the patterns: those of the service's rules
 * ({@code routing.versions}) if any, else those configured in code. No patterns: no filtering. May
 * leave nothing, and then the call fails with {@code UNAVAILABLE} naming this router. Thread-safe.
 */
public final class VersionRouter implements Router {

    private final List<VersionPattern> configured;
    private final RuleStore store;

    /** Keeps versions matching {@code configured} unless the rules say otherwise. */
    public VersionRouter(List<VersionPattern> configured, RuleStore store) {
        this.configured = List.copyOf(configured);
        this.store = store;
    }

    @Override
    public List<Endpoint> route(List<Endpoint> endpoints, RpcRequest request) {
        List<VersionPattern> patterns = store.current(request.service()).versions();
        if (patterns.isEmpty()) {
            patterns = configured;
        }
        if (patterns.isEmpty()) {
            return endpoints;
        }
        List<VersionPattern> p = patterns;
        return Routes.filter(
                endpoints, e -> VersionPattern.matchesAny(p, e.instance().version()));
    }

    @Override
    public String toString() {
        return "version router (version in " + (configured.isEmpty() ? "[*]" : configured.toString())
                + ", or as the service's routing rules say)";
    }
}
