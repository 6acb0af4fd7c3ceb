package io.outrigger.core.registry;

import java.util.List;

/**
 * Receives the instances of a subscribed service, as a full list each time it changes.
 *
 * <p>Called from the registry's own threads, one call at a time per subscription; must not block.
 */
@FunctionalInterface
public interface InstanceListener {

    /**
     * The current instances of {@code service} (an immutable list; possibly empty when the service
     * truly has no providers).
     */
    void onInstances(String service, List<ServiceInstance> instances);
}
