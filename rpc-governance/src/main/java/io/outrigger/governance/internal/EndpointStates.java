package io.outrigger.governance.internal;

import io.outrigger.core.cluster.Endpoint;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Per-endpoint state of a balancer, keyed by instance id. Entries of endpoints that were not used
 * during a whole sweep cycle (every {@value #SWEEP_EVERY} lookups) are dropped, so the map does not
 * grow as providers come and go. Thread-safe; a lookup of a known endpoint does not allocate.
 */
final class EndpointStates<S> {

    static final int SWEEP_EVERY = 1 << 16;

    private final ConcurrentHashMap<String, Entry<S>> map = new ConcurrentHashMap<>();
    private final Supplier<S> factory;
    private final AtomicInteger lookups = new AtomicInteger();

    EndpointStates(Supplier<S> factory) {
        this.factory = factory;
    }

    S get(Endpoint endpoint) {
        String id = endpoint.instance().id();
        Entry<S> e = map.get(id);
        if (e == null) {
            e = map.computeIfAbsent(id, k -> new Entry<>(factory.get()));
        }
        if (!e.used) {
            e.used = true;
        }
        if ((lookups.incrementAndGet() & (SWEEP_EVERY - 1)) == 0) {
            sweep();
        }
        return e.state;
    }

    /** The state of {@code endpoint} if it has one, without creating it. */
    S peek(Endpoint endpoint) {
        Entry<S> e = map.get(endpoint.instance().id());
        return e == null ? null : e.state;
    }

    int size() {
        return map.size();
    }

    void sweep() {
        map.values().removeIf(e -> {
            boolean stale = !e.used;
            e.used = false;
            return stale;
        });
    }

    private static final class Entry<S> {
        final S state;
        volatile boolean used = true;

        Entry(S state) {
            this.state = state;
        }
    }
}
