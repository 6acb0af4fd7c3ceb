package io.outrigger.sidecar.internal;

import io.outrigger.core.auth.BearerToken;
import io.outrigger.core.client.EventLoops;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.Registry;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.tls.TlsConfig;
import io.outrigger.governance.ClientGovernance;
import io.outrigger.governance.LiveRules;
import io.outrigger.observability.AdminSection;
import io.outrigger.observability.AdminSections;
import io.outrigger.observability.OutriggerTelemetry;
import io.outrigger.registry.InstanceOrigin;
import io.outrigger.registry.ZooKeeperRegistry;
import io.outrigger.sidecar.SidecarConfig;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where the sidecar's client is assembled from the other modules: which registry it
 * finds providers in, where its rules come from, and which governance and observability pieces sit
 * in the client chain. The sidecar calls providers exactly as a Java caller configured the same way
 * would.
 */
public final class ClientAssembly {

    private static final Logger log = LoggerFactory.getLogger(ClientAssembly.class);

    private ClientAssembly() {}

    /**
     * The registry {@code config} names: a {@link ZooKeeperRegistry} for {@code --registry
     * zookeeper://...} (with {@code --cache-dir} as its file cache directory), else a static registry
     * holding the {@code --static} providers (and, at run time, this sidecar's own exports).
     *
     * @throws IllegalArgumentException if the registry cannot be created
     */
    public static Registry registry(SidecarConfig config) {
        if (config.registry() != null) {
            String connect = CommandLine.zooKeeperConnectString(config.registry());
            // The registry never blocks here: with ZooKeeper down it starts, and each service starts
            // from its file cache once the startup wait is over.
            ZooKeeperRegistry.Builder zk = ZooKeeperRegistry.builder(connect);
            if (config.cacheDir() != null) {
                zk.cacheDirectory(config.cacheDir());
            }
            return zk.build();
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
     * The live rules of {@code registry}: from its ZooKeeper rule source (same connection) when it is
     * a {@link ZooKeeperRegistry}, else none.
     */
    public static LiveRules rules(Registry registry) {
        return registry instanceof ZooKeeperRegistry zk ? LiveRules.from(zk.ruleSource()) : LiveRules.none();
    }

    /**
     * Where the instances of a service come from, for the admin document: {@code registry}, {@code
     * file-cache} or {@code protected} with ZooKeeper ({@code none} before the first list), {@code
     * static} otherwise.
     */
    public static String origin(Registry registry, String service) {
        if (registry instanceof ZooKeeperRegistry zk) {
            InstanceOrigin origin = zk.origin(service);
            return origin == null
                    ? "none"
                    : origin.name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        return "static";
    }

    /**
     * The rpc-observability sections of {@code GET /admin}: what the client sees, and from where, and
     * the state of its circuit breakers.
     */
    public static List<AdminSection> adminSections(RpcClient client, Registry registry, ClientGovernance governance) {
        return List.of(
                AdminSections.referenced(client, service -> origin(registry, service)),
                new AdminSection("breakers", governance::breakerStates));
    }

    /**
     * The governance of the sidecar's client: the rules applied live, the balancer of {@code
     * --load-balancing}, consistent hashing keyed by {@code X-Outrigger-Hash-Key}, and every breaker
     * transition counted by {@code telemetry}.
     *
     * @param rules the rules to apply live; {@link LiveRules#none()} when there is no rule source
     */
    public static ClientGovernance governance(SidecarConfig config, LiveRules rules, OutriggerTelemetry telemetry) {
        return ClientGovernance.builder()
                .rules(rules)
                .loadBalancing(config.loadBalancing())
                .hashHeader("outrigger-hash-key")
                .breakerListener(telemetry::recordBreakerTransition)
                .build();
    }

    /**
     * The client of the sidecar, with the governance of rpc-governance in its slots, exactly as a
     * Java caller plugs it: fallback (forced degrade from rules), then timeout, method breaker and
     * failover with the retry budget, then the routers (version, group, splits, tag, zone,
     * outliers), the balancer, and the per-endpoint breakers; around them tracing and metrics of
     * rpc-observability (outermost, so they see retries and fast rejections). With {@code --tls-*}
     * it connects with TLS, with {@code --bearer-token-file} every call carries the token, and
     * failure messages name the sidecar's flags ({@link FlagHints}).
     *
     * <p>It runs on the HTTP endpoint's event loops, with one connection per loop to each provider:
     * a call read on a loop is sent on that loop's connection and its answer completes on that loop
     * (calls complete on the I/O thread, {@code responseExecutor Runnable::run}), where the HTTP
     * answer is written: no thread hand-off per call.
     *
     * @param loops the event loops shared with the HTTP endpoint
     * @param gov the governance of {@link #governance}
     * @param telemetry tracing and metrics; a no-op without an OpenTelemetry SDK
     */
    public static RpcClient client(
            SidecarConfig config,
            Registry registry,
            EventLoops loops,
            ClientGovernance gov,
            OutriggerTelemetry telemetry) {
        RpcClient.Builder b = gov.applyTo(RpcClient.builder()
                .registry(registry)
                .defaultTimeout(config.defaultTimeout())
                .responseExecutor(Runnable::run)
                .eventLoops(loops)
                .connectionsPerEndpoint(loops.size())
                .maxMessageSize(Math.max(config.maxBodyBytes(), 4 * 1024 * 1024)));
        TlsConfig tls = SidecarSecurity.clientTls(config);
        if (tls != null) {
            b.tls(tls);
        }
        // Outermost: the messages HTTP callers read name the sidecar's flags.
        b.interceptor(new FlagHints(config.tlsCert() != null));
        if (config.bearerTokenFile() != null) {
            if (tls == null) {
                log.warn("--bearer-token-file without --tls-ca: the token goes to providers in plaintext, readable"
                        + " by anyone on the path; add --tls-ca FILE");
            }
            // Once per call, not per attempt: every attempt carries the token current when the call began.
            b.interceptor(
                    BearerToken.interceptor(BearerToken.fromFile(config.bearerTokenFile(), "--bearer-token-file")));
        }
        return telemetry.instrument(b).build();
    }
}
