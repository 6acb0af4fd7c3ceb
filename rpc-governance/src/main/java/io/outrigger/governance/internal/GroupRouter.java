package io.outrigger.governance.internal;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.Status;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.Router;
import java.util.List;

/**
 * Keeps the providers of one group: those the call names in metadata ({@code outrigger-group: blue},
 * or a comma-separated list, {@code blue,green}) if it does, else the group of the service's rules
 * ({@code routing.group}) if they name one, else the group configured in code. No group, or {@code
 * *}: no filtering. When the rules say {@code routing.enforced}, their group holds for every call and
 * a per-call choice only narrows it.
 *
 * <p>May leave nothing; the call then fails with {@code UNAVAILABLE} naming the groups asked for,
 * where they came from and the groups present (see {@link #noMatch}). A call without the metadata
 * key allocates nothing here. Thread-safe.
 */
public final class GroupRouter implements Router {

    private final String configured;
    private final RuleStore store;
    /** The groups asked for per call; {@code null} value: any ({@code *} among them). */
    private final PerCallSelector<List<String>> perCall;

    /**
     * Keeps group {@code configured} ({@code null}: any) unless the rules, or the call's metadata key
     * {@code header}, say otherwise.
     */
    public GroupRouter(String configured, RuleStore store, String header) {
        this.configured = configured;
        this.store = store;
        this.perCall = new PerCallSelector<>(header, text -> {
            List<String> groups = PerCallSelector.items(text);
            return groups.contains("*") ? null : groups;
        });
    }

    @Override
    public List<Endpoint> route(List<Endpoint> endpoints, RpcRequest request) {
        PerCallSelector.Parsed<List<String>> asked = perCall.of(request);
        ServiceRules rules = store.current(request.service());
        List<Endpoint> base = endpoints;
        String ruleGroup = rules.group();
        if (rules.routingEnforced() && ruleGroup != null && !ruleGroup.equals("*")) {
            // The operator's rule holds for every call: a caller may only narrow it.
            base = Routes.filter(endpoints, e -> e.instance().group().equals(ruleGroup));
            if (asked == null || base.isEmpty()) {
                return base;
            }
        }
        if (asked != null) {
            if (asked.error() != null) {
                return List.of(); // noMatch says why
            }
            List<String> groups = asked.value();
            if (groups == null) {
                return base;
            }
            if (groups.size() == 1) {
                String g = groups.get(0);
                return Routes.filter(base, e -> e.instance().group().equals(g));
            }
            return Routes.filter(base, e -> groups.contains(e.instance().group()));
        }
        String group = ruleGroup;
        if (group == null) {
            group = configured;
        }
        if (group == null || group.equals("*")) {
            return base;
        }
        String g = group;
        return Routes.filter(base, e -> e.instance().group().equals(g));
    }

    @Override
    public Status noMatch(List<Endpoint> endpoints, RpcRequest request) {
        PerCallSelector.Parsed<List<String>> asked = perCall.of(request);
        String groups;
        String source;
        if (asked != null) {
            if (asked.error() != null) {
                return Status.INVALID_ARGUMENT.withDescription(
                        "metadata " + perCall.header() + " of " + request.fullMethodName() + ": " + asked.error());
            }
            groups = String.join(",", asked.value());
            source = "asked per call in metadata " + perCall.header();
            ServiceRules rules = store.current(request.service());
            if (rules.routingEnforced()
                    && rules.group() != null
                    && !rules.group().equals("*")) {
                groups = rules.group() + " enforced by the service's rules (routing.enforced), then " + groups;
            }
        } else if (store.current(request.service()).group() != null) {
            groups = store.current(request.service()).group();
            source = "from the service's rules, routing.group";
        } else {
            groups = configured;
            source = "configured in code";
        }
        if (groups == null) {
            return null; // the rules changed since route(): nothing to explain
        }
        return Status.UNAVAILABLE.withDescription("no provider of " + request.service() + " is in group="
                + (groups.isEmpty() ? "\"\"" : groups) + " (" + source + "); the " + endpoints.size()
                + " candidates have group="
                + Routes.labels(endpoints, e -> e.instance().group()));
    }

    @Override
    public String toString() {
        return "group router (group=" + (configured == null ? "*" : configured) + ", or as the call's "
                + perCall.header() + " metadata or the service's routing rules say)";
    }
}
