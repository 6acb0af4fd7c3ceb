package io.outrigger.governance.internal;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.Router;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Weighted splits for canary releases, from the service's rules ({@code routing.splits}): e.g. 5%
 * of calls go to providers of version {@code 2.*}, the other 95% to the providers no split selects.
 *
 * <p>The share is drawn at random per call, or, with {@code routing.splitKeyHeader}, from a hash of
 * that request header, so one user stays on one side. A split that selects no provider sends its
 * share to the rest, and when the rest is empty the call may use any provider: splits never leave a
 * call without providers. Requests carrying an explicit tag (see {@link TagRouter}) are not split.
 * Thread-safe.
 */
public final class SplitRouter implements Router {

    private final RuleStore store;
    private final String tagHeader;
    private final Supplier<RandomGenerator> random;

    /** Splits per the rules in {@code store}; requests with {@code tagHeader} are left alone. */
    public SplitRouter(RuleStore store, String tagHeader, Supplier<RandomGenerator> random) {
        this.store = store;
        this.tagHeader = tagHeader;
        this.random = random;
    }

    @Override
    public List<Endpoint> route(List<Endpoint> endpoints, RpcRequest request) {
        ServiceRules rules = store.current(request.service());
        List<ServiceRules.Split> splits = rules.splits();
        if (splits.isEmpty() || request.metadata().contains(tagHeader)) {
            return endpoints;
        }
        double x = draw(rules.splitKeyHeader(), request);
        double cumulative = 0;
        for (int i = 0; i < splits.size(); i++) {
            ServiceRules.Split s = splits.get(i);
            cumulative += s.percent();
            if (x < cumulative) {
                List<Endpoint> chosen = Routes.filter(endpoints, e -> s.selects(e.instance()));
                if (!chosen.isEmpty()) {
                    return chosen;
                }
                break;
            }
        }
        List<Endpoint> rest = Routes.filter(endpoints, e -> {
            for (int i = 0; i < splits.size(); i++) {
                if (splits.get(i).selects(e.instance())) {
                    return false;
                }
            }
            return true;
        });
        return rest.isEmpty() ? endpoints : rest;
    }

    /** A number in [0, 100): from the key header's hash when there is one, else at random. */
    private double draw(String keyHeader, RpcRequest request) {
        String key = keyHeader == null ? null : request.metadata().get(keyHeader);
        if (key == null) {
            return random.get().nextDouble() * 100;
        }
        long h = ConsistentHashBalancer.hash(key);
        return (h >>> 11) * 0x1.0p-53 * 100;
    }

    @Override
    public String toString() {
        return "split router (routing.splits of the service's rules)";
    }
}
