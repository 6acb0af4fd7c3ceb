package io.outrigger.governance.internal;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.Status;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.Router;
import java.util.List;

/**
 * Keeps the providers whose version matches one of the patterns: those the call carries in metadata
 * ({@code outrigger-version: 2.*}, a comma-separated list) if any, else those of the service's rules
 * ({@code routing.versions}) if any, else those configured in code. No patterns: no filtering. When
 * the rules say {@code routing.enforced}, their versions hold for every call and a per-call choice
 * only narrows them.
 *
 * <p>May leave nothing; the call then fails with {@code UNAVAILABLE} naming the versions asked for,
 * where they came from and the versions present (see {@link #noMatch}). A malformed per-call
 * pattern fails the call with {@code INVALID_ARGUMENT}. A call without the metadata key costs what
 * it did before per-call selection existed: no allocation. Thread-safe.
 */
public final class VersionRouter implements Router {

    private final List<VersionPattern> configured;
    private final RuleStore store;
    private final PerCallSelector<List<VersionPattern>> perCall;

    /**
     * Keeps versions matching {@code configured} unless the rules, or the call's metadata key {@code
     * header}, say otherwise.
     */
    public VersionRouter(List<VersionPattern> configured, RuleStore store, String header) {
        this.configured = List.copyOf(configured);
        this.store = store;
        this.perCall = new PerCallSelector<>(header, text -> VersionPattern.parseAll(PerCallSelector.items(text)));
    }

    @Override
    public List<Endpoint> route(List<Endpoint> endpoints, RpcRequest request) {
        List<VersionPattern> patterns;
        PerCallSelector.Parsed<List<VersionPattern>> asked = perCall.of(request);
        ServiceRules rules = store.current(request.service());
        List<Endpoint> base = endpoints;
        if (rules.routingEnforced() && !rules.versions().isEmpty()) {
            // The operator's rule holds for every call: a caller may only narrow it.
            List<VersionPattern> enforced = rules.versions();
            base = Routes.filter(
                    endpoints,
                    e -> VersionPattern.matchesAny(enforced, e.instance().version()));
            if (asked == null || base.isEmpty()) {
                return base;
            }
        }
        if (asked != null) {
            if (asked.error() != null) {
                return List.of(); // noMatch says why
            }
            patterns = asked.value();
        } else {
            patterns = rules.versions();
            if (patterns.isEmpty()) {
                patterns = configured;
            }
        }
        if (patterns.isEmpty()) {
            return base;
        }
        List<VersionPattern> p = patterns;
        return Routes.filter(
                base, e -> VersionPattern.matchesAny(p, e.instance().version()));
    }

    @Override
    public Status noMatch(List<Endpoint> endpoints, RpcRequest request) {
        PerCallSelector.Parsed<List<VersionPattern>> asked = perCall.of(request);
        String patterns;
        String source;
        if (asked != null) {
            if (asked.error() != null) {
                return Status.INVALID_ARGUMENT.withDescription(
                        "metadata " + perCall.header() + " of " + request.fullMethodName() + ": " + asked.error());
            }
            patterns = join(asked.value());
            source = "asked per call in metadata " + perCall.header();
            ServiceRules rules = store.current(request.service());
            if (rules.routingEnforced() && !rules.versions().isEmpty()) {
                patterns = join(rules.versions()) + " enforced by the service's rules (routing.enforced), then "
                        + patterns;
            }
        } else if (!store.current(request.service()).versions().isEmpty()) {
            patterns = join(store.current(request.service()).versions());
            source = "from the service's rules, routing.versions";
        } else {
            patterns = join(configured);
            source = "configured in code";
        }
        if (patterns.isEmpty()) {
            return null; // the rules changed since route(): nothing to explain
        }
        return Status.UNAVAILABLE.withDescription("no provider of " + request.service() + " matches version="
                + patterns + " (" + source + "); the " + endpoints.size() + " candidates have version="
                + Routes.labels(endpoints, e -> e.instance().version()));
    }

    private static String join(List<VersionPattern> patterns) {
        StringBuilder sb = new StringBuilder();
        for (VersionPattern p : patterns) {
            sb.append(sb.length() == 0 ? "" : ",").append(p);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "version router (version in " + (configured.isEmpty() ? "[*]" : configured.toString())
                + ", or as the call's " + perCall.header() + " metadata or the service's routing rules say)";
    }
}
