package io.outrigger.core.registry;

import io.outrigger.core.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A registry held in memory: direct addresses given in code, no remote store.
 *
 * <p>Useful for direct connections ({@code StaticRegistry.of(instance)}), tests, and processes that
 * both provide and consume. {@link #register} and {@link #unregister} notify subscribers at once, on
 * the calling thread. Thread-safe.
 *
 * <pre>{@code
 * Registry registry = StaticRegistry.of(ServiceInstance.builder("demo.UserService", "127.0.0.1", 7000).build());
 * }</pre>
 */
public final class StaticRegistry implements Registry {

    private final Map<String, List<ServiceInstance>> instances = new ConcurrentHashMap<>();
    private final Map<String, List<InstanceListener>> listeners = new ConcurrentHashMap<>();

    /** An empty registry. */
    public StaticRegistry() {}

    /** A registry holding {@code instances}. */
    public static StaticRegistry of(ServiceInstance... instances) {
        StaticRegistry registry = new StaticRegistry();
        for (ServiceInstance instance : instances) {
            registry.register(instance);
        }
        return registry;
    }

    @Override
    public void register(ServiceInstance instance) {
        update(
                instance.service(),
                list -> {
                    list.removeIf(i -> i.id().equals(instance.id()));
                    list.add(instance);
                },
                Set.of());
    }

    @Override
    public void unregister(ServiceInstance instance) {
        // Every removal here is on purpose: subscribers drop the instance at once.
        update(instance.service(), list -> list.removeIf(i -> i.id().equals(instance.id())), Set.of(instance.id()));
    }

    /** The instances of {@code service} now. */
    public List<ServiceInstance> instances(String service) {
        return instances.getOrDefault(service, List.of());
    }

    @Override
    public Subscription subscribe(String service, InstanceListener listener) {
        List<InstanceListener> list = listeners.computeIfAbsent(service, s -> new CopyOnWriteArrayList<>());
        // Register first, then deliver: a concurrent update is then delivered too, never lost.
        list.add(listener);
        synchronized (this) {
            listener.onInstances(service, instances(service));
        }
        return () -> list.remove(listener);
    }

    private synchronized void update(
            String service, java.util.function.Consumer<List<ServiceInstance>> change, Set<String> withdrawn) {
        List<ServiceInstance> copy = new ArrayList<>(instances(service));
        change.accept(copy);
        List<ServiceInstance> now = List.copyOf(copy);
        instances.put(service, now);
        for (InstanceListener l : listeners.getOrDefault(service, List.of())) {
            l.onInstances(service, now, withdrawn);
        }
    }

    @Override
    public void close() {
        listeners.clear();
    }
}
