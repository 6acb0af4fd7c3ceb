package io.outrigger.spring.boot;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.registry.Registry;
import io.outrigger.registry.InstanceOrigin;
import io.outrigger.registry.ZooKeeperRegistry;
import io.outrigger.spring.boot.internal.ReferenceSpec;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * The {@code outrigger} health component: the registry connection, the server's state and, for each
 * referenced service, how many providers the client sees and where that list comes from.
 *
 * <ul>
 *   <li>{@code UP}: the registry is connected (or static) and the server, if any, is serving.
 *   <li>{@link #DEGRADED}: ZooKeeper is unreachable, but every referenced service still has providers
 *       from the node caches, so calls keep succeeding; new providers are not seen and this one's
 *       registration is not refreshed.
 *   <li>{@code DOWN}: ZooKeeper is unreachable and some referenced service has no provider left.
 *   <li>{@code OUT_OF_SERVICE}: the server is draining or stopped (the application is shutting down).
 * </ul>
 *
 * <p>{@code DEGRADED} is a status of its own: Boot's default aggregation ignores it (the application
 * stays {@code UP} for its load balancer, which is right while calls succeed); list it in {@code
 * management.endpoint.health.status.order} to make it the overall status.
 */
public final class OutriggerHealthIndicator extends AbstractHealthIndicator {

    /** ZooKeeper is unreachable; calls are served from the node caches. */
    public static final Status DEGRADED =
            new Status("DEGRADED", "the registry is unreachable; calls use the providers in the node caches");

    private final Registry registry;
    private final OutriggerServer server;
    private final OutriggerClients clients;
    private final String address;

    /** Reports on these. */
    public OutriggerHealthIndicator(
            Registry registry, OutriggerServer server, OutriggerClients clients, OutriggerProperties properties) {
        super("Outrigger health check failed");
        this.registry = registry;
        this.server = server;
        this.clients = clients;
        this.address = properties.getRegistry().getAddress();
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        ZooKeeperRegistry zk = registry instanceof ZooKeeperRegistry z ? z : null;
        boolean connected = zk == null || zk.connected();

        Map<String, Object> registryDetails = new LinkedHashMap<>();
        registryDetails.put("address", address);
        registryDetails.put("connected", connected);
        builder.withDetail("registry", registryDetails);

        OutriggerServer.State state = server.state();
        Map<String, Object> serverDetails = new LinkedHashMap<>();
        serverDetails.put("state", state.name().toLowerCase(Locale.ROOT));
        if (state == OutriggerServer.State.RUNNING || state == OutriggerServer.State.DRAINING) {
            serverDetails.put("port", server.port());
            serverDetails.put("inFlight", server.inFlight());
            serverDetails.put(
                    "services",
                    server.exported().stream()
                            .map(OutriggerServer.ExportedService::service)
                            .toList());
        }
        builder.withDetail("server", serverDetails);

        Map<String, Object> references = new TreeMap<>();
        boolean someEmpty = false;
        for (ReferenceSpec spec : clients.references()) {
            int available = 0;
            for (RpcClient client : clients.clients()) {
                for (Endpoint e : client.endpoints(spec.service())) {
                    available++;
                }
            }
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("providers", available);
            d.put("source", source(zk, spec.service(), connected));
            references.put(spec.service(), d);
            someEmpty |= available == 0;
        }
        builder.withDetail("references", references);

        if (state == OutriggerServer.State.DRAINING || state == OutriggerServer.State.STOPPED) {
            builder.outOfService();
        } else if (!connected) {
            builder.status(someEmpty ? Status.DOWN : DEGRADED);
        } else {
            builder.up();
        }
    }

    private static String source(ZooKeeperRegistry zk, String service, boolean connected) {
        if (zk == null) {
            return "static";
        }
        InstanceOrigin origin = zk.origin(service);
        if (origin == null) {
            return "none";
        }
        return switch (origin) {
            case REGISTRY -> connected ? "registry" : "memory-cache";
            case FILE_CACHE -> "file-cache";
            case PROTECTED -> "registry (push protection holding removals)";
        };
    }
}
