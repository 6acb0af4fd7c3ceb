package io.outrigger.sidecar.internal;

import io.outrigger.core.Subscription;
import io.outrigger.core.registry.InstanceListener;
import io.outrigger.core.registry.Registry;
import io.outrigger.core.registry.ServiceInstance;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A registry that remembers what its subscribers were told: the instances of each service now, and
 * which services ever had one. The sidecar answers "unknown service" (404) from it, and shows the
 * instances on {@code GET /admin}. Thread-safe; delegates everything.
 */
public final class WatchedRegistry implements Registry {

    private final Registry delegate;
    private final Map<String, List<ServiceInstance>> current = new ConcurrentHashMap<>();
    private final Set<String> everSeen = ConcurrentHashMap.newKeySet();

    public WatchedRegistry(Registry delegate) {
        this.delegate = delegate;
    }

    /** The registry this one wraps. */
    public Registry delegate() {
        return delegate;
    }

    @Override
    public void register(ServiceInstance instance) {
        delegate.register(instance);
    }

    @Override
    public void unregister(ServiceInstance instance) {
        delegate.unregister(instance);
    }

    @Override
    public Subscription subscribe(String service, InstanceListener listener) {
        return delegate.subscribe(service, new InstanceListener() {
            @Override
            public void onInstances(String s, List<ServiceInstance> instances) {
                seen(s, instances);
                listener.onInstances(s, instances);
            }

            @Override
            public void onInstances(String s, List<ServiceInstance> instances, Set<String> withdrawn) {
                // Passed on: the client drops withdrawn instances at once and holds lost ones.
                seen(s, instances);
                listener.onInstances(s, instances, withdrawn);
            }
        });
    }

    private void seen(String service, List<ServiceInstance> instances) {
        current.put(service, instances);
        if (!instances.isEmpty()) {
            everSeen.add(service);
        }
    }

    /** Whether a subscriber of {@code service} was ever given an instance of it. */
    public boolean everSeen(String service) {
        return everSeen.contains(service);
    }

    /** The instances of each subscribed service now, by service name. */
    public Map<String, List<ServiceInstance>> instances() {
        return new TreeMap<>(current);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
