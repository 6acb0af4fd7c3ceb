package io.outrigger.sidecar.internal;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.Registry;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.sidecar.SidecarConfig;
import java.util.List;
import java.util.Map;

/**
 * The one place where the sidecar's client is assembled from the other modules: which registry it
 * finds providers in, and which governance and observability pieces sit in the client chain. The
 * sidecar calls providers exactly as a Java caller configured the same way would.
 */
public final class ClientAssembly {

    private ClientAssembly() {}

    /**
     * The registry {@code config} names: ZooKeeper for {@code --registry zookeeper://...}, else a
     * static registry holding the {@code --static} providers (and, at run time, this sidecar's own
     * exports).
     *
     * @throws IllegalArgumentException if the registry cannot be created
     */
    public static Registry registry(SidecarConfig config) {
        if (config.registry() != null) {
            String connect = CommandLine.zooKeeperConnectString(config.registry());
            throw new IllegalArgumentException("--registry " + config.registry() + " (" + connect
                    + "): this build has no ZooKeeper registry module; use --static SERVICE=HOST:PORT");
        }
        StaticRegistry registry = new StaticRegistry();
        for (Map.Entry<String, List<String>> e : config.staticProviders().entrySet()) {
            for (String address : e.getValue()) {
                HostPort hp = HostPort.parse("--static " + e.getKey(), address);
                registry.register(ServiceInstance.builder(e.getKey(), hp.host(), hp.port())
                        .build());
            }
        }
        return registry;
    }

    /**
     * The client of the sidecar. Completes calls on the I/O thread ({@code responseExecutor
     * Runnable::run}): the sidecar's callbacks only hop back to an HTTP event loop.
     */
    public static RpcClient client(SidecarConfig config, Registry registry) {
        RpcClient.Builder b = RpcClient.builder()
                .registry(registry)
                .defaultTimeout(config.defaultTimeout())
                .responseExecutor(Runnable::run)
                .maxMessageSize(Math.max(config.maxBodyBytes(), 4 * 1024 * 1024));
        // Governance and observability plug in here (retry, breakers, balancers, tracing, metrics).
        return b.build();
    }
}
