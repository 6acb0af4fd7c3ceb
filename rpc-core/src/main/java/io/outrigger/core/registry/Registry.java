package io.outrigger.core.registry;

import io.outrigger.core.Subscription;

/**
 * Where providers announce themselves and consumers find them.
 *
 * <p>Callers never ask the registry per request: {@link #subscribe} keeps the consumer's view
 * current in the background, and implementations backed by a remote store (ZooKeeper) keep a memory
 * and a file cache so that consumers keep working while the store is down.
 *
 * <p>Implementations are thread-safe. {@link StaticRegistry} is the built-in direct-address
 * implementation.
 */
public interface Registry extends AutoCloseable {

    /**
     * Announces {@code instance}. An implementation that cannot reach its store keeps the instance
     * and announces it once it can; re-announces after a session loss.
     */
    void register(ServiceInstance instance);

    /** Withdraws {@code instance}. Consumers are told promptly. Unknown instances are ignored. */
    void unregister(ServiceInstance instance);

    /**
     * Watches the instances of {@code service}. {@code listener} receives the current list soon after
     * the call (possibly on the calling thread) and every change after that.
     */
    Subscription subscribe(String service, InstanceListener listener);

    /** Withdraws everything this registry registered, stops every subscription, releases resources. */
    @Override
    void close();
}
