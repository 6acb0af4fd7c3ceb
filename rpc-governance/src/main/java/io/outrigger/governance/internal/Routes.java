package io.outrigger.governance.internal;

import io.outrigger.core.cluster.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** List filtering for routers: no copy when every endpoint passes. */
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
}
