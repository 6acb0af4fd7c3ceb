package io.outrigger.core.internal.client;

import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.LoadBalancer;
import io.outrigger.core.cluster.Router;
import io.outrigger.core.internal.transport.ClientTransport;
import io.outrigger.core.registry.Registry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-service chains of one client, built on first use and shared by every reference to the
 * service.
 */
public final class ServiceClients implements AutoCloseable {

    /** The pieces every chain is built from. */
    public record Parts(
            Registry registry,
            ClientTransport transport,
            List<Router> routers,
            LoadBalancer.Factory balancers,
            List<Interceptor> endpointInterceptors,
            Interceptor retry,
            Interceptor fallback,
            Interceptor metrics,
            Interceptor tracing,
            List<Interceptor> user,
            Interceptor context,
            Duration lostProviderHold) {}

    private record Entry(ClusterInvoker cluster, Invoker chain) {}

    private final Parts parts;
    private final Map<String, Entry> services = new ConcurrentHashMap<>();

    public ServiceClients(Parts parts) {
        this.parts = parts;
    }

    /** The full client chain of {@code service}. */
    public Invoker chain(String service) {
        return services.computeIfAbsent(service, this::create).chain;
    }

    /** The endpoints the client sees for {@code service} now (empty if never called). */
    public List<Endpoint> endpoints(String service) {
        Entry e = services.get(service);
        return e == null ? List.of() : e.cluster.endpoints();
    }

    /**
     * The ids of the instances of {@code service} the registry lost and the client still calls, as
     * their connections work (empty if none, or never called).
     */
    public List<String> held(String service) {
        Entry e = services.get(service);
        return e == null ? List.of() : e.cluster.held();
    }

    /** The services with a chain, sorted by name. */
    public List<String> names() {
        return services.keySet().stream().sorted().toList();
    }

    private Entry create(String service) {
        ClusterInvoker cluster = new ClusterInvoker(
                service,
                parts.registry,
                parts.transport,
                parts.routers,
                parts.balancers.create(service),
                parts.endpointInterceptors,
                parts.lostProviderHold);
        Invoker chain = ClientChain.build(
                cluster, parts.retry, parts.fallback, parts.metrics, parts.tracing, parts.user, parts.context);
        return new Entry(cluster, chain);
    }

    @Override
    public void close() {
        services.values().forEach(e -> e.cluster.close());
        services.clear();
    }
}
