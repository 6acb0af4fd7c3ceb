package io.outrigger.governance.internal;

import io.outrigger.core.cluster.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/** List filtering for routers (no copy when every endpoint passes), and what to say when none passes. */
final class Routes {

    private Routes() {}

    /** The endpoints passing {@code keep}: {@code endpoints} itself when all do. */
    static List<Endpoint> filter(List<Endpoint> endpoints, Predicate<Endpoint> keep) {
        int n = endpoints.size();
        int firstDropped = -1;
        for (int i = 0; i < n; i++) {
            if (!keep.test(endpoints.get(i))) {
                firstDropped = i;
                break;
            }
        }
        if (firstDropped < 0) {
            return endpoints;
        }
        List<Endpoint> kept = new ArrayList<>(n - 1);
        for (int i = 0; i < firstDropped; i++) {
            kept.add(endpoints.get(i));
        }
        for (int i = firstDropped + 1; i < n; i++) {
            Endpoint e = endpoints.get(i);
            if (keep.test(e)) {
                kept.add(e);
            }
        }
        return kept;
    }

    /**
     * The labels (versions, groups) {@code endpoints} have, with counts, for the message of a call no
     * provider matched: e.g. {@code 1.0.0 (2 providers), 2.0.0 (1 provider)}; empty shows as {@code ""}.
     */
    static String labels(List<Endpoint> endpoints, Function<Endpoint, String> label) {
        Map<String, Integer> counts = new TreeMap<>();
        for (Endpoint e : endpoints) {
            counts.merge(label.apply(e), 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder();
        counts.forEach((value, n) -> sb.append(sb.length() == 0 ? "" : ", ")
                .append(value.isEmpty() ? "\"\"" : value)
                .append(" (")
                .append(n)
                .append(n == 1 ? " provider)" : " providers)"));
        return sb.toString();
    }
}
