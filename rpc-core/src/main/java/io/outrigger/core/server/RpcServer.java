package io.outrigger.core.server;

import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.internal.Checks;
import io.outrigger.core.internal.protocol.ProtocolLimits;
import io.outrigger.core.internal.server.ServerChain;
import io.outrigger.core.internal.server.ServerTransport;
import io.outrigger.core.internal.server.WorkerPool;
import io.outrigger.core.internal.tls.SslContextSource;
import io.outrigger.core.internal.transport.Transport;
import io.outrigger.core.registry.Registry;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.service.ServiceDescriptor;
import io.outrigger.core.tls.TlsConfig;
import io.outrigger.serialization.Serializers;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves services over the native protocol, and announces them in a {@link Registry} if given one.
 *
 * <p>Threads: methods returning a plain message may block, so they run on a bounded business
 * executor; when it and its queue are full, new calls get {@code RESOURCE_EXHAUSTED} at once.
 * Methods returning a {@code CompletionStage}, and generic {@link Invoker} services, must not block,
 * and run on the I/O thread that read the request (see {@link Builder#nonBlockingOnEventLoop}).
 *
 * <p>The server chain, outermost first, whatever order its slots are set in: {@link Builder#tracing
 * tracing}, {@link Builder#metrics metrics}, {@link Builder#accessLog access log}, {@link Builder#auth
 * auth}, {@link Builder#limits limits}, the {@link Builder#interceptor user interceptors}, then the
 * service. Every interceptor runs on the thread the service method runs on (above).
 *
 * <p>Lifecycle: {@link #start()} binds and then registers; {@link #shutdown()} unregisters, waits
 * the propagation delay so consumers stop picking this server, stops accepting, tells connected
 * clients to send no new calls, lets calls in flight finish (bounded), and closes. Thread-safe.
 *
 * <pre>{@code
 * RpcServer server = RpcServer.builder()
 *         .host("127.0.0.1")
 *         .port(7000)
 *         .service(UserService.class, new UserServiceImpl())
 *         .auth(accessControl)
 *         .build()
 *         .start();
 * }</pre>
 *
 * <p>The server keeps the settings its builder had when {@link Builder#build()} ran: changing the
 * builder afterwards changes nothing in it.
 */
public final class RpcServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RpcServer.class);

    private final ServerTransport.Config transportConfig;
    private final ServerChain chain;
    private final ExecutorService executor;
    private final int workerThreads;
    private final int queueCapacity;
    private final Registry registry;
    private final Consumer<ServiceInstance.Builder> instance;
    private final String announceHost;
    private final Duration drainTimeout;
    private final Duration propagationDelay;
    private final Map<ServiceDescriptor, Object> javaServices;
    private final Map<String, Invoker> genericServices;
    private final List<ServiceInstance> announced = new ArrayList<>();
    private final SslContextSource tls;
    private final String incarnation = UUID.randomUUID().toString();
    private ServerTransport transport;
    private State state = State.NEW;

    private enum State {
        NEW,
        STARTED,
        STOPPED
    }

    /** Copies every setting of {@code b}: the builder may be changed or reused afterwards. */
    private RpcServer(Builder b) {
        this.javaServices = Collections.unmodifiableMap(new LinkedHashMap<>(b.javaServices));
        this.genericServices = Collections.unmodifiableMap(new LinkedHashMap<>(b.genericServices));
        // Read the certificate files now, so a bad file fails build() rather than start().
        this.tls = b.tls == null ? null : new SslContextSource(b.tls);
        this.transportConfig = new ServerTransport.Config(
                b.host,
                b.port,
                b.ioThreads,
                b.maxMessageSize,
                b.maxMetadataSize,
                b.idleTimeout,
                b.serializers,
                b.nonBlockingOnEventLoop,
                tls,
                b.maxConnections,
                b.maxConnectionsPerAddress,
                b.maxConcurrentCallsPerConnection,
                b.maxQueuedBytesPerConnection,
                b.maxStreamsPerConnection,
                b.sendErrorDetails);
        this.chain = new ServerChain(b.tracing, b.metrics, b.accessLog, b.auth, b.limits, b.interceptors);
        this.executor = b.executor;
        this.workerThreads = b.workerThreads;
        this.queueCapacity = b.queueCapacity;
        this.registry = b.registry;
        this.instance = b.instance;
        this.announceHost = b.announceHost;
        this.drainTimeout = b.drainTimeout;
        this.propagationDelay = b.propagationDelay;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the port, starts serving, then registers every service (when a registry is set).
     *
     * @throws IllegalStateException if already started, or the port cannot be bound
     */
    public synchronized RpcServer start() {
        if (state != State.NEW) {
            throw new IllegalStateException("server already " + state.name().toLowerCase());
        }
        ExecutorService serviceExecutor = executor;
        boolean owns = serviceExecutor == null;
        String description = "the application's executor";
        if (owns) {
            serviceExecutor = newExecutor(workerThreads, queueCapacity);
            description = workerThreads + " worker threads and " + queueCapacity + " queue slots";
        }
        transport = new ServerTransport(
                transportConfig, javaServices, genericServices, chain, serviceExecutor, owns, description);
        state = State.STARTED;
        if (registry != null) {
            String host = announceHost();
            for (String service : serviceNames()) {
                ServiceInstance.Builder announce =
                        ServiceInstance.builder(service, host, port()).incarnation(incarnation);
                instance.accept(announce);
                ServiceInstance built = announce.build();
                registry.register(built);
                announced.add(built);
            }
        }
        log.info(
                "serving {} on {}:{} ({}, {})",
                serviceNames(),
                transportConfig.host(),
                port(),
                Transport.get(),
                tls == null ? "plaintext" : tls.describe());
        return this;
    }

    /** The port served on (the real one when built with port 0). */
    public int port() {
        requireStarted();
        return transport.port();
    }

    /**
     * The id of this server's life, announced with its instances ({@link ServiceInstance#incarnation()}):
     * random, new for every server, so that callers tell a restarted provider at the same address
     * from the one they knew (it warms up again and gets new connections).
     */
    public String incarnation() {
        return incarnation;
    }

    /** The names of the services served. */
    public List<String> serviceNames() {
        List<String> names = new ArrayList<>();
        javaServices.keySet().forEach(d -> names.add(d.name()));
        names.addAll(genericServices.keySet());
        return names;
    }

    /** Calls accepted and not yet answered. */
    public int inFlight() {
        requireStarted();
        return transport.inFlight();
    }

    /** Client connections open now (for health pages and tests; each client usually holds one). */
    public int connectionCount() {
        requireStarted();
        return transport.connectionCount();
    }

    /** The instances this server registered. */
    public List<ServiceInstance> instances() {
        return List.copyOf(announced);
    }

    /**
     * Graceful shutdown with the configured propagation delay and drain timeout.
     *
     * @return the calls still in flight when the drain wait ended (0 when none was lost)
     */
    public int shutdown() {
        return shutdown(drainTimeout);
    }

    /**
     * Graceful shutdown: unregister, wait the propagation delay (only when registered), stop
     * accepting, send the closing frame, wait up to {@code drainTimeout} for calls in flight, close.
     * Idempotent.
     *
     * @return the calls still in flight when the drain wait ended (0 when none was lost)
     */
    public synchronized int shutdown(Duration drainTimeout) {
        if (state != State.STARTED) {
            state = State.STOPPED;
            return 0;
        }
        state = State.STOPPED;
        if (!announced.isEmpty()) {
            for (ServiceInstance announcedInstance : announced) {
                registry.unregister(announcedInstance);
            }
            announced.clear();
            sleep(propagationDelay);
        }
        int left = transport.shutdown(drainTimeout);
        log.info("stopped serving {} on port {}", serviceNames(), transport.port());
        return left;
    }

    /** Same as {@link #shutdown()}. */
    @Override
    public void close() {
        shutdown();
    }

    private void requireStarted() {
        if (transport == null) {
            throw new IllegalStateException("server not started");
        }
    }

    private String announceHost() {
        if (announceHost != null) {
            return announceHost;
        }
        try {
            InetAddress bound = InetAddress.getByName(transportConfig.host());
            if (!bound.isAnyLocalAddress()) {
                return bound.getHostAddress();
            }
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(
                    "cannot work out the address to announce; set announceHost(...) on the server builder", e);
        }
    }

    private static void sleep(Duration d) {
        if (d.isZero()) {
            return;
        }
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ExecutorService newExecutor(int threads, int queue) {
        return new WorkerPool(threads, queue, "outrigger-worker-");
    }

    /**
     * Builds an {@link RpcServer}. Not thread-safe. Defaults are documented on each method; values are
     * validated eagerly.
     */
    public static final class Builder {
        private String host = "0.0.0.0";
        private int port;
        private String announceHost;
        private int ioThreads = Math.min(4, Runtime.getRuntime().availableProcessors());
        private int workerThreads = 200;
        private int queueCapacity = 1000;
        private ExecutorService executor;
        private int maxMessageSize = ProtocolLimits.DEFAULT_MAX_MESSAGE_SIZE;
        private int maxMetadataSize = ProtocolLimits.DEFAULT_MAX_METADATA_SIZE;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private int maxConnections = 10_000;
        private int maxConnectionsPerAddress = 1_000;
        private int maxConcurrentCallsPerConnection = 1_024;
        private long maxQueuedBytesPerConnection = 64L * 1024 * 1024;
        private int maxStreamsPerConnection = 10_000;
        private boolean nonBlockingOnEventLoop = true;
        private boolean sendErrorDetails;
        private Duration drainTimeout = Duration.ofSeconds(10);
        private Duration propagationDelay = Duration.ofSeconds(1);
        private Serializers serializers = Serializers.defaults();
        private Registry registry;
        private Consumer<ServiceInstance.Builder> instance = b -> {};
        private final Map<ServiceDescriptor, Object> javaServices = new LinkedHashMap<>();
        private final Map<String, Invoker> genericServices = new LinkedHashMap<>();
        private Interceptor tracing;
        private Interceptor metrics;
        private Interceptor accessLog;
        private Interceptor auth;
        private List<Interceptor> limits = List.of();
        private final List<Interceptor> interceptors = new ArrayList<>();
        private TlsConfig tls;

        private Builder() {}

        /**
         * Serves over TLS (mutual TLS when {@code tls} asks for client certificates): a client
         * connecting without TLS is refused with {@code UNAVAILABLE}, a failed handshake is logged.
         * With client certificates, each request carries the verified identity as {@code
         * CallAttributes.PEER_PRINCIPAL}. Default: plaintext.
         *
         * <pre>{@code
         * server.tls(TlsConfig.server(Path.of("server.crt"), Path.of("server.key"))
         *         .trustCertificates(Path.of("clients-ca.crt"))
         *         .clientAuth(ClientAuth.REQUIRE)
         *         .build());
         * }</pre>
         *
         * @throws IllegalArgumentException if {@code tls} was built with {@code TlsConfig.client()}
         */
        public Builder tls(TlsConfig tls) {
            Objects.requireNonNull(tls, "tls");
            if (!tls.isServer()) {
                throw new IllegalArgumentException(
                        "tls: a client's settings (expected: TlsConfig.server(certificateChain, privateKey)...build())");
            }
            this.tls = tls;
            return this;
        }

        /** The address to listen on. Default {@code 0.0.0.0} (all interfaces). */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port to listen on; 0 picks a free one (see {@link RpcServer#port()}). Default 0. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
            }
            this.port = port;
            return this;
        }

        /**
         * The address registered for callers. Default: the bound host, or this machine's address when
         * bound to all interfaces. Tests and the quickstart use {@code 127.0.0.1}.
         */
        public Builder announceHost(String host) {
            this.announceHost = Objects.requireNonNull(host, "announceHost");
            return this;
        }

        /** Exports {@code implementation} as the service described by the interface {@code type}. */
        public <T> Builder service(Class<T> type, T implementation) {
            ServiceDescriptor descriptor = ServiceDescriptor.of(type, serializers);
            return service(descriptor, implementation);
        }

        /** Exports {@code implementation} under the descriptor's name (e.g. a renamed descriptor). */
        public Builder service(ServiceDescriptor descriptor, Object implementation) {
            Objects.requireNonNull(implementation, "implementation");
            checkUnique(descriptor.name());
            if (!descriptor.type().isInstance(implementation)) {
                throw new IllegalArgumentException(implementation.getClass().getName() + " does not implement "
                        + descriptor.type().getName());
            }
            javaServices.put(descriptor, implementation);
            return this;
        }

        /**
         * Exports a service without a Java interface: {@code handler} receives every method of {@code
         * name} with the request still encoded ({@code Payload.Encoded}), and may answer with encoded
         * bytes. The sidecar serves non-Java apps this way.
         */
        public Builder service(String name, Invoker handler) {
            Objects.requireNonNull(handler, "handler");
            checkUnique(name);
            genericServices.put(name, handler);
            return this;
        }

        private void checkUnique(String name) {
            if (genericServices.containsKey(name)
                    || javaServices.keySet().stream().anyMatch(d -> d.name().equals(name))) {
                throw new IllegalArgumentException("service " + name + " is exported twice");
            }
        }

        /**
         * The tracing slot, outermost of the server chain: its span covers everything after it, calls
         * refused by {@link #auth} and {@link #limits} included, and is current while they run.
         * Replaces what the slot held; {@code null} empties it. Default: none. rpc-observability's
         * {@code OutriggerTelemetry.instrument(builder)} fills this slot, {@link #metrics} and {@link
         * #accessLog}.
         */
        public Builder tracing(Interceptor tracing) {
            this.tracing = tracing;
            return this;
        }

        /**
         * The metrics slot: after {@link #tracing} (in its span's context), before {@link #auth} and
         * {@link #limits}, so refused calls are measured too. Replaces what the slot held; {@code null}
         * empties it. Default: none.
         */
        public Builder metrics(Interceptor metrics) {
            this.metrics = metrics;
            return this;
        }

        /**
         * The access-log slot: after {@link #metrics}, before {@link #auth} and {@link #limits}, so
         * every call is logged with the status it got, refusals included, and with the trace id of
         * {@link #tracing}. Replaces what the slot held; {@code null} empties it. Default: none.
         */
        public Builder accessLog(Interceptor accessLog) {
            this.accessLog = accessLog;
            return this;
        }

        /**
         * The authentication and authorization slot, e.g. an {@code AccessControl}: after the
         * telemetry slots (refusals are traced, counted and logged), before {@link #limits}, so a
         * caller it refuses takes no rate-limit permit or bulkhead slot (anonymous floods cannot use
         * up the limits of allowed callers) and limit refusals name the authenticated caller.
         * Replaces what the slot held; {@code null} empties it. Default: none.
         */
        public Builder auth(Interceptor auth) {
            this.auth = auth;
            return this;
        }

        /**
         * The limits slot: rate limits and bulkheads, run in the order given, after {@link #auth} and
         * before the {@link #interceptor user interceptors} (a refused call costs none of their work;
         * a bulkhead slot is held until the service answers). Replaces what the slot held; {@code
         * limits()} empties it. Default: none. rpc-governance's {@code ServerGovernance.applyTo(builder)}
         * fills it.
         *
         * @throws NullPointerException if one of {@code limits} is null
         */
        public Builder limits(Interceptor... limits) {
            this.limits = List.of(limits);
            return this;
        }

        /**
         * Adds a user interceptor. User interceptors run in the order added, the innermost part of the
         * server chain: after the {@link #tracing}, {@link #metrics}, {@link #accessLog}, {@link
         * #auth} and {@link #limits} slots, whatever order those are set in, and just before the
         * service. So they see the caller {@code auth} identified, and only calls the limits let
         * through.
         *
         * <p>Threads: server interceptors, those of every slot, run on the thread the call's method
         * runs on. For methods returning a plain message that is the business executor. For methods
         * returning a {@code CompletionStage}, for generic {@link Invoker} services, and for calls of
         * a service or method this server does not export, it is the event loop that read the request (unless
         * {@link #nonBlockingOnEventLoop} is off): there an interceptor that blocks stalls every
         * connection of that loop, so interceptors must never block (the {@link Interceptor}
         * contract).
         */
        public Builder interceptor(Interceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /** I/O (event loop) threads. Default: min(4, available processors). */
        public Builder ioThreads(int threads) {
            this.ioThreads = Checks.range("ioThreads", threads, 1, 256);
            return this;
        }

        /**
         * Whether non-blocking calls run on the I/O thread that read them: Java methods returning a
         * {@code CompletionStage} and generic {@link Invoker} services, whose contracts forbid
         * blocking. It saves two thread hand-offs per call. The server interceptors of such calls run
         * on the I/O thread too, before the method. Default {@code true}; set {@code false} if such
         * methods (or an interceptor) may block: then every call, interceptors included, goes to the
         * worker pool. Methods returning a plain message always run on the worker pool.
         */
        public Builder nonBlockingOnEventLoop(boolean enabled) {
            this.nonBlockingOnEventLoop = enabled;
            return this;
        }

        /**
         * Threads running blocking service code (when no executor is given). Default 200. The
         * built-in executor is a FIFO {@code ForkJoinPool} that wakes a worker only when none is
         * looking for work, so under load a call rarely waits for a thread to wake up; a parallel
         * stream inside a service method runs on these threads, not on the common pool.
         */
        public Builder workerThreads(int threads) {
            this.workerThreads = Checks.range("workerThreads", threads, 1, 10_000);
            return this;
        }

        /** Calls that may wait for a worker thread before new ones are refused. Default 1000. */
        public Builder queueCapacity(int capacity) {
            this.queueCapacity = Checks.range("queueCapacity", capacity, 1, 1_000_000);
            return this;
        }

        /**
         * Runs service code on {@code executor} instead of the built-in pool; it must be bounded and
         * throw {@code RejectedExecutionException} when full. The server does not shut it down.
         */
        public Builder executor(ExecutorService executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Largest message accepted or sent, in bytes. Default 4 MiB. */
        public Builder maxMessageSize(int bytes) {
            this.maxMessageSize = Checks.range("maxMessageSize", bytes, 1, Integer.MAX_VALUE / 8);
            return this;
        }

        /** Largest request metadata accepted, in bytes. Default 8 KiB. */
        public Builder maxMetadataSize(int bytes) {
            this.maxMetadataSize = Checks.range("maxMetadataSize", bytes, 0, 1024 * 1024);
            return this;
        }

        /** A connection silent for this long (clients send heartbeats) is closed. Default 60 s. */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = Checks.positive("idleTimeout", timeout);
            return this;
        }

        /**
         * Connections held at once, from all clients; past it a new connection is refused (a closing
         * frame naming the limit, then closed; over TLS simply closed) and the refusal logged.
         * Default 10,000.
         */
        public Builder maxConnections(int connections) {
            this.maxConnections = Checks.range("maxConnections", connections, 1, 1_000_000);
            return this;
        }

        /**
         * Connections held at once from one source address; past it new ones from that address are
         * refused like those past {@link #maxConnections}. Default 1,000.
         */
        public Builder maxConnectionsPerAddress(int connections) {
            this.maxConnectionsPerAddress = Checks.range("maxConnectionsPerAddress", connections, 1, 1_000_000);
            return this;
        }

        /**
         * Calls read from one connection and not yet answered, past which the server stops reading
         * from that connection until answers go out: further requests wait in the socket buffers
         * (and the client's), not in this server's memory. Calls beyond it are delayed, not refused.
         * Default 1,024.
         */
        public Builder maxConcurrentCallsPerConnection(int calls) {
            this.maxConcurrentCallsPerConnection = Checks.range("maxConcurrentCallsPerConnection", calls, 1, 1_000_000);
            return this;
        }

        /**
         * Bytes of answers queued for one connection (written, not yet taken by the socket) past which
         * the connection is closed, with a log line naming the peer: a client that stops reading its
         * answers cannot hold more than this of the server's memory. Reading from a connection already
         * stops when 1 MiB is queued, so only the answers of calls already running can reach this cap.
         * Default 64 MiB.
         */
        public Builder maxQueuedBytesPerConnection(long bytes) {
            if (bytes < 1024 * 1024 || bytes > (1L << 40)) {
                throw new IllegalArgumentException(
                        "maxQueuedBytesPerConnection: " + bytes + " (expected: 1 MiB..1 TiB)");
            }
            this.maxQueuedBytesPerConnection = bytes;
            return this;
        }

        /**
         * Streams open at once on one connection, past which a new stream is refused with {@code
         * RESOURCE_EXHAUSTED} (not run, so the client may open it elsewhere). Streams do not count
         * against {@link #maxConcurrentCallsPerConnection}: each is flow-controlled on its own, and a
         * stream that waits for its consumer must not stop the connection's other calls. Default
         * 10,000.
         */
        public Builder maxStreamsPerConnection(int streams) {
            this.maxStreamsPerConnection = Checks.range("maxStreamsPerConnection", streams, 1, 10_000_000);
            return this;
        }

        /**
         * Whether a caller learns the class and message of an unexpected exception thrown by a service
         * method. By default it does not (they may hold internals: SQL, paths, other users' data): the
         * caller gets {@code INTERNAL} "... failed with an internal error (error id 3f2a9c1b)" and the
         * exception is logged at WARN under the same id. An {@code RpcException} thrown on purpose
         * always keeps its status and message. Default {@code false}.
         */
        public Builder sendErrorDetails(boolean enabled) {
            this.sendErrorDetails = enabled;
            return this;
        }

        /** How long shutdown waits for calls in flight. Default 10 s. */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = Checks.nonNegative("drainTimeout", timeout);
            return this;
        }

        /**
         * How long shutdown waits after unregistering, so consumers learn of it before the server stops
         * accepting. Only applies with a registry. Default 1 s.
         */
        public Builder propagationDelay(Duration delay) {
            this.propagationDelay = Checks.nonNegative("propagationDelay", delay);
            return this;
        }

        /** The serializers. Default {@link Serializers#defaults()}. Set before adding services. */
        public Builder serializers(Serializers serializers) {
            this.serializers = Objects.requireNonNull(serializers, "serializers");
            return this;
        }

        /** Where to announce the services. Default: none (callers use direct addresses). */
        public Builder registry(Registry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** Sets the announced instance's version, group, tags, zone, weight (applies to every service). */
        public Builder instance(Consumer<ServiceInstance.Builder> customizer) {
            this.instance = Objects.requireNonNull(customizer, "instance");
            return this;
        }

        /**
         * The server, not yet started. It copies the builder's settings now: changing the builder
         * afterwards (or building again) does not change this server.
         *
         * @throws IllegalStateException if no service was added
         * @throws IllegalArgumentException if the TLS files cannot be used (the message names them)
         */
        public RpcServer build() {
            if (javaServices.isEmpty() && genericServices.isEmpty()) {
                throw new IllegalStateException("no service to serve: add one with service(...)");
            }
            return new RpcServer(this);
        }
    }
}
