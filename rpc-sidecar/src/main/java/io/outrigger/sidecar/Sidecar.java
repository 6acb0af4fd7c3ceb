package io.outrigger.sidecar;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.outrigger.core.auth.AccessControl;
import io.outrigger.core.auth.BearerToken;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.internal.transport.SharedEventLoops;
import io.outrigger.core.registry.Registry;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.tls.TlsConfig;
import io.outrigger.governance.ClientGovernance;
import io.outrigger.governance.LiveRules;
import io.outrigger.governance.ServerGovernance;
import io.outrigger.observability.OutriggerTelemetry;
import io.outrigger.sidecar.internal.AdminJson;
import io.outrigger.sidecar.internal.ClientAssembly;
import io.outrigger.sidecar.internal.CommandLine;
import io.outrigger.sidecar.internal.HealthChecks;
import io.outrigger.sidecar.internal.HttpEndpoint;
import io.outrigger.sidecar.internal.HttpRoutes;
import io.outrigger.sidecar.internal.HttpTokenCheck;
import io.outrigger.sidecar.internal.InboundExport;
import io.outrigger.sidecar.internal.OutboundCalls;
import io.outrigger.sidecar.internal.RulesCommand;
import io.outrigger.sidecar.internal.Schemas;
import io.outrigger.sidecar.internal.SidecarRoutes;
import io.outrigger.sidecar.internal.SidecarSecurity;
import io.outrigger.sidecar.internal.WatchedRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Outrigger sidecar: services written in any language call Outrigger services through it over
 * local HTTP, and are called by them through it, with the same registry, load balancing and failure
 * handling as a Java caller or provider.
 *
 * <ul>
 *   <li><b>Outbound</b>: {@code POST /rpc/{service}/{method}} on the HTTP endpoint ({@code --http})
 *       becomes a native call through {@link RpcClient#invoker}; bodies are protobuf or Thrift bytes,
 *       passed through undecoded, or JSON for protobuf services whose descriptors are known.
 *   <li><b>Inbound</b>: each {@code --export SERVICE=URL} is registered with the sidecar's native
 *       listener ({@code --rpc}) while the app passes {@code GET URL/health}; calls are forwarded to
 *       the app as {@code POST URL/SERVICE/METHOD}.
 * </ul>
 *
 * <p>The contract (paths, headers, status mapping) is in {@code docs/sidecar.md}. Run it with
 * {@code java -jar rpc-sidecar.jar --help}, or embed it:
 *
 * <pre>{@code
 * try (Sidecar sidecar = Sidecar.start(SidecarConfig.parse("--http", "127.0.0.1:0", "--static", "demo.Users=127.0.0.1:7001"))) {
 *     int port = sidecar.httpPort();
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} unregisters the exports, waits the propagation delay, lets calls
 * in flight finish, and stops.
 */
public final class Sidecar implements AutoCloseable {

    private final Logger log = LoggerFactory.getLogger(Sidecar.class);

    /**
     * Event loops serving HTTP and calling providers. One: every call then shares one provider
     * connection, so reads and flushes are batched across calls at both ends, and nothing crosses
     * threads. Measured on 2 cores against one loop per core with a connection each, it costs about a
     * quarter less CPU per call at the same throughput (benchmarks/README.md); one core carries tens
     * of thousands of calls per second, more than an application beside a sidecar usually sends.
     */
    private static final int IO_THREADS = 1;

    private final SidecarConfig config;
    private final WatchedRegistry registry;
    private final boolean ownsRegistry;
    private final LiveRules rules;
    private final OutriggerTelemetry telemetry;
    /** The HTTP endpoint's and the client's event loops: a call stays on the loop that read it. */
    private final SharedEventLoops loops;

    private final ClientGovernance governance;
    private final OutriggerTelemetry.Registration breakerGauge;

    private final RpcClient client;
    private final ExecutorService resolver;
    private final List<InboundExport> exports = new ArrayList<>();
    private RpcServer rpcServer;
    private HealthChecks healthChecks;
    private HttpEndpoint http;
    private volatile boolean ready;
    private boolean closed;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Sidecar(SidecarConfig config, Registry registry, boolean ownsRegistry, OpenTelemetry openTelemetry) {
        this.config = config;
        this.registry = new WatchedRegistry(registry);
        this.ownsRegistry = ownsRegistry;
        this.rules = ClientAssembly.rules(registry);
        this.telemetry = OutriggerTelemetry.create(openTelemetry);
        this.loops = SharedEventLoops.create(IO_THREADS, "outrigger-sidecar-io");
        this.governance = ClientAssembly.governance(config, rules, telemetry);
        try {
            this.client = ClientAssembly.client(config, this.registry, loops, governance, telemetry);
        } catch (RuntimeException e) {
            loops.close();
            rules.close();
            throw e;
        }
        this.breakerGauge = telemetry.observeBreakerStates(governance::breakerStates);
        AtomicInteger n = new AtomicInteger();
        this.resolver = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "outrigger-sidecar-resolver-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts a sidecar with the registry {@code config} names.
     *
     * @throws IllegalArgumentException if a setting is unusable (a descriptor file, the registry)
     * @throws IllegalStateException if a port cannot be bound
     */
    public static Sidecar start(SidecarConfig config) {
        Registry registry = ClientAssembly.registry(config);
        try {
            return start(config, registry, true, GlobalOpenTelemetry.get());
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    /**
     * Starts a sidecar that finds providers in, and registers its exports with, {@code registry}
     * instead of the one {@code config} names (for embedding and tests). The caller closes it.
     */
    public static Sidecar start(SidecarConfig config, Registry registry) {
        return start(config, registry, false, GlobalOpenTelemetry.get());
    }

    /**
     * Like {@link #start(SidecarConfig, Registry)}, tracing and measuring with {@code openTelemetry}
     * instead of {@link GlobalOpenTelemetry} (which is a no-op unless an SDK or the Java agent
     * installed one).
     */
    public static Sidecar start(SidecarConfig config, Registry registry, OpenTelemetry openTelemetry) {
        return start(config, registry, false, openTelemetry);
    }

    private static Sidecar start(SidecarConfig config, Registry registry, boolean owns, OpenTelemetry openTelemetry) {
        Schemas schemas = Schemas.load(config.descriptors());
        Sidecar sidecar = new Sidecar(config, registry, owns, openTelemetry);
        try {
            sidecar.startExports(schemas);
            sidecar.startHttp(schemas);
        } catch (Exception e) { // Netty may rethrow checked I/O errors undeclared
            sidecar.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
        }
        sidecar.ready = true;
        return sidecar;
    }

    private void startExports(Schemas schemas) {
        if (config.exports().isEmpty()) {
            return;
        }
        HttpClient httpClient = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        RpcServer.Builder server = RpcServer.builder()
                .host(config.rpcHost())
                .port(config.rpcPort())
                .maxMessageSize(Math.max(config.maxBodyBytes(), 4 * 1024 * 1024));
        // The slots of the server chain, which orders them: telemetry, then auth, then the limits.
        telemetry.instrument(server);
        server.limits(inboundLimits().limits());
        TlsConfig tls = SidecarSecurity.serverTls(config);
        if (tls != null) {
            server.tls(tls);
        }
        AccessControl acl = SidecarSecurity.accessControl(config);
        if (config.rpcTokenFile() != null && tls == null) {
            log.warn("--rpc-token-file without --rpc-tls-cert: callers send their tokens to the --rpc listener in"
                    + " plaintext, readable by anyone on the path; add --rpc-tls-cert FILE --rpc-tls-key FILE");
        }
        server.auth(acl); // null: every caller the TLS settings let in
        for (Map.Entry<String, URI> e : config.exports().entrySet()) {
            InboundExport export = new InboundExport(e.getKey(), e.getValue(), httpClient, schemas.fileDescriptorSet());
            exports.add(export);
            server.service(e.getKey(), export);
        }
        rpcServer = server.build().start();
        String host = announceHost();
        Map<String, ServiceInstance> announce = new LinkedHashMap<>();
        for (InboundExport export : exports) {
            announce.put(
                    export.service(),
                    ServiceInstance.builder(export.service(), host, rpcServer.port())
                            .incarnation(rpcServer.incarnation())
                            .metadata("sidecar", "true")
                            .build());
        }
        healthChecks = new HealthChecks(
                exports, httpClient, registry, announce, config.healthInterval(), config.healthFailures());
        healthChecks.start();
    }

    /**
     * The limits of inbound calls, as a Java provider's: the {@code --rpc-*-limit} flags, replaced by
     * the exports' rules ({@code serverLimits}) when there is a rule source.
     */
    private ServerGovernance inboundLimits() {
        ServerGovernance.Builder limits = ServerGovernance.builder().rules(rules);
        config.rpcRateLimits().forEach((target, n) -> {
            int slash = target.indexOf('/');
            limits.rateLimit(target.substring(0, slash), target.substring(slash + 1), n);
        });
        config.rpcConcurrencyLimits().forEach((target, n) -> {
            int slash = target.indexOf('/');
            limits.concurrencyLimit(target.substring(0, slash), target.substring(slash + 1), n);
        });
        // Read the exports' rules now, so that their limits hold from the first call.
        config.exports().keySet().forEach(rules::watch);
        return limits.build();
    }

    private void startHttp(Schemas schemas) {
        OutboundCalls calls = new OutboundCalls(client, registry, schemas, config.defaultTimeout(), resolver);
        String registryName = config.registry() != null
                ? config.registry()
                : registry.delegate() instanceof io.outrigger.registry.ZooKeeperRegistry zk ? zk.toString() : "static";
        var sections = ClientAssembly.adminSections(client, registry.delegate(), governance);
        SidecarRoutes routes = new SidecarRoutes(
                calls, () -> ready, () -> AdminJson.render(registryName, registry, exports, sections));
        HttpRoutes guarded = config.httpTokenFile() == null
                ? routes
                : new HttpTokenCheck(BearerToken.fromFile(config.httpTokenFile(), "--http-token-file"), routes);
        http = HttpEndpoint.start(config.httpHost(), config.httpPort(), loops, HttpEndpoint.Limits.of(config), guarded);
        if (!isLoopback(config.httpHost()) && config.httpTokenFile() == null) {
            log.warn(
                    "the HTTP endpoint listens on {}, not on loopback, and asks for no token: anyone who can reach"
                            + " it can call every service through this sidecar. Require a token with"
                            + " --http-token-file FILE, or listen on 127.0.0.1",
                    config.httpHost());
        } else if (!isLoopback(config.httpHost())) {
            log.info(
                    "the HTTP endpoint listens on {}, not on loopback; it requires the token of --http-token-file,"
                            + " which travels in plaintext HTTP: keep that network private",
                    config.httpHost());
        }
    }

    private String announceHost() {
        if (config.announceHost() != null) {
            return config.announceHost();
        }
        try {
            InetAddress bound = InetAddress.getByName(config.rpcHost());
            return bound.isAnyLocalAddress() ? InetAddress.getLocalHost().getHostAddress() : bound.getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(
                    "--rpc " + config.rpcHost() + ": cannot work out the address to announce; set --announce-host", e);
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The port of the HTTP endpoint. */
    public int httpPort() {
        return http.port();
    }

    /** The port of the native listener, or -1 when there is no export (it is then not opened). */
    public int rpcPort() {
        return rpcServer == null ? -1 : rpcServer.port();
    }

    /** Whether the sidecar is started and not closing ({@code GET /health} says UP). */
    public boolean isReady() {
        return ready;
    }

    /** The configuration it runs with. */
    public SidecarConfig config() {
        return config;
    }

    /** Unregisters the exports, waits the propagation delay, drains inbound calls, stops. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        ready = false;
        if (healthChecks != null) {
            healthChecks.close();
        }
        boolean unregistered = false;
        for (InboundExport export : exports) {
            try {
                unregistered |= export.unregister(registry);
            } catch (RuntimeException e) {
                log.warn("unregistering {}: {}", export.service(), e.toString());
            }
        }
        if (unregistered && !config.propagationDelay().isZero()) {
            sleep(config.propagationDelay());
        }
        if (rpcServer != null) {
            rpcServer.shutdown(Duration.ofSeconds(10));
        }
        if (http != null) {
            http.close();
        }
        client.close();
        breakerGauge.close();
        loops.close(); // after the endpoint and the client that run on them
        rules.close();
        resolver.shutdownNow();
        if (ownsRegistry) {
            registry.close();
        }
        stopped.countDown();
    }

    /** Waits until {@link #close()} finished. */
    public void awaitClosed() throws InterruptedException {
        stopped.await();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs the sidecar until the process is stopped (SIGTERM or SIGINT shut it down gracefully). Prints
     * one line to standard output when ready: {@code outrigger-sidecar ready http=HOST:PORT
     * rpc=HOST:PORT|none in N ms}. Exit status 2 for bad flags, 1 when it cannot start.
     */
    public static void main(String[] args) throws InterruptedException {
        long begin = System.nanoTime();
        if (args.length > 0 && args[0].equals("rules")) {
            setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "warn"); // a tool: only problems on stderr
            System.exit(RulesCommand.run(
                    java.util.Arrays.copyOfRange(args, 1, args.length), System.in, System.out, System.err));
            return;
        }
        if (CommandLine.wantsHelp(args)) {
            System.out.print(SidecarConfig.usage());
            return;
        }
        defaultLogging();
        SidecarConfig config;
        try {
            config = SidecarConfig.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("rpc-sidecar: " + e.getMessage());
            System.err.println("Try --help.");
            System.exit(2);
            return;
        }
        Sidecar sidecar;
        try {
            sidecar = start(config);
        } catch (Exception e) { // Netty may rethrow checked I/O errors undeclared
            System.err.println("rpc-sidecar: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(sidecar::close, "outrigger-sidecar-shutdown"));
        System.out.println("outrigger-sidecar ready http=" + config.httpHost() + ":" + sidecar.httpPort() + " rpc="
                + (sidecar.rpcPort() < 0 ? "none" : config.rpcHost() + ":" + sidecar.rpcPort()) + " in "
                + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin) + " ms");
        System.out.flush();
        sidecar.awaitClosed();
    }

    private static void defaultLogging() {
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        setIfAbsent("org.slf4j.simpleLogger.log.io.netty", "warn");
        // ZooKeeper's client logs every connection step at INFO; the registry logs what matters.
        setIfAbsent("org.slf4j.simpleLogger.log.org.apache.zookeeper", "warn");
        setIfAbsent("org.slf4j.simpleLogger.log.org.apache.curator", "warn");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
