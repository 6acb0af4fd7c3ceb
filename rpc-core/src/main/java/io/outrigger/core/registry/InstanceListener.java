package io.outrigger.core.registry;

import java.util.List;
import java.util.Set;

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

    /**
     * The current instances of {@code service}, and the ids ({@link ServiceInstance#id()}) of
     * instances the registry knows were <em>withdrawn</em> on purpose (unregistered: a graceful
     * departure). An instance that is gone from {@code instances} and not in {@code withdrawn} was
     * <em>lost</em>: its registration ended without a word (a crash, a session expiry, a partition
     * between the provider and the registry), and the provider may well still be serving. The client
     * keeps calling a lost instance while its own connection to it works (see {@code RpcClient.Builder
     * #lostProviderHold}); a withdrawn one it drops at once.
     *
     * <p>Registries that know call this method; {@code withdrawn} may name instances that are not
     * removed by this list. The default forwards to {@link #onInstances(String, List)}.
     */
    default void onInstances(String service, List<ServiceInstance> instances, Set<String> withdrawn) {
        onInstances(service, instances);
    }
}
