package io.outrigger.registry;

import io.outrigger.core.registry.InstanceListener;
import io.outrigger.core.registry.ServiceInstance;
import java.util.List;

/**
 * An {@link InstanceListener} that also learns where each list comes from (the registry, the file
 * cache, or the registry with removals held back). Pass one to {@link ZooKeeperRegistry#subscribe}
 * to tell apart a list read from ZooKeeper and one read from disk during an outage, e.g. to report
 * "serving stale providers" in a health check.
 *
 * <p>Called like {@link InstanceListener}: from the registry's notification thread, one call at a
 * time, never on the request path; must not block. Any other {@link io.outrigger.core.registry.Registry}
 * calls only {@link #onInstances(String, List)}, which reports {@link InstanceOrigin#REGISTRY}.
 */
@FunctionalInterface
public interface OriginAwareInstanceListener extends InstanceListener {

    /** The current instances of {@code service} (immutable), and where they come from. */
    void onInstances(String service, List<ServiceInstance> instances, InstanceOrigin origin);

    /** Delivers {@code instances} as {@link InstanceOrigin#REGISTRY}. */
    @Override
    default void onInstances(String service, List<ServiceInstance> instances) {
        onInstances(service, instances, InstanceOrigin.REGISTRY);
    }
}
