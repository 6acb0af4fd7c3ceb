package io.outrigger.sidecar.internal;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.Registry;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.governance.ClientGovernance;
import io.outrigger.governance.LiveRules;
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
     * The client of the sidecar, with the governance of rpc-governance in its slots, exactly as a
     * Java caller plugs it: fallback (forced degrade from rules), then timeout, method breaker and
     * failover with the retry budget, then the routers (version, group, splits, tag, zone,
     * outliers), the balancer, and the per-endpoint breakers. Completes calls on the I/O thread
     * ({@code responseExecutor Runnable::run}): the sidecar's callbacks only hop back to an HTTP
     * event loop.
     *
     * @param rules the rules to apply live; {@link LiveRules#none()} when there is no rule source
     */
    public static RpcClient client(SidecarConfig config, Registry registry, LiveRules rules) {
        ClientGovernance gov = ClientGovernance.builder()
                .rules(rules)
                .loadBalancing(config.loadBalancing())
                .hashHeader("outrigger-hash-key")
                .build();
        RpcClient.Builder b = gov.applyTo(RpcClient.builder()
                .registry(registry)
                .defaultTimeout(config.defaultTimeout())
                .responseExecutor(Runnable::run)
                .maxMessageSize(Math.max(config.maxBodyBytes(), 4 * 1024 * 1024)));
        // Observability (tracing, metrics) plugs in here once rpc-observability exists; until then a
        // caller's traceparent/tracestate still travel to the provider as metadata.
        return b.build();
    }
}
