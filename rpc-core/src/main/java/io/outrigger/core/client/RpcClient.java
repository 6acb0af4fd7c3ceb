package io.outrigger.core.client;

import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.Metadata;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.LoadBalancer;
import io.outrigger.core.cluster.RoundRobinLoadBalancer;
import io.outrigger.core.cluster.Router;
import io.outrigger.core.internal.Checks;
import io.outrigger.core.internal.client.ContextPropagation;
import io.outrigger.core.internal.client.ServiceClients;
import io.outrigger.core.internal.client.ServiceProxy;
import io.outrigger.core.internal.protocol.ProtocolLimits;
import io.outrigger.core.internal.tls.SslContextSource;
import io.outrigger.core.internal.transport.ClientTransport;
import io.outrigger.core.internal.transport.ClientTransportConfig;
import io.outrigger.core.internal.transport.SharedEventLoops;
import io.outrigger.core.registry.Registry;
import io.outrigger.core.service.ServiceDescriptor;
import io.outrigger.core.tls.TlsConfig;
import io.outrigger.serialization.Serializers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Calls services: finds providers through a {@link Registry}, balances calls over them, and hands
 * out typed proxies ({@link #refer}) or generic invokers ({@link #invoker}).
 *
 * <p>One client per process is the norm: it owns the I/O threads and the connections, which every
 * service shares (one multiplexed connection per provider address by default). Thread-safe. Close it
 * to release everything.
 *
 * <pre>{@code
 * RpcClient client = RpcClient.builder()
 *         .registry(StaticRegistry.of(ServiceInstance.builder("demo.UserService", "127.0.0.1", 7000).build()))
 *         .defaultTimeout(Duration.ofSeconds(2))
 *         .build();
 * UserService users = client.refer(UserService.class);
 * User user = users.getUser(GetUserRequest.newBuilder().setId(1).build());
 * }</pre>
 */
public final class RpcClient implements AutoCloseable {

    private final ClientTransport transport;
    private final ServiceClients services;
    private final Serializers serializers;
    private final Executor responseExecutor;
    private final Duration defaultTimeout;

    private RpcClient(Builder b) {
        this.serializers = b.serializers;
        this.responseExecutor = b.responseExecutor;
        this.defaultTimeout = b.defaultTimeout;
        this.transport = new ClientTransport(
                new ClientTransportConfig(
                        b.ioThreads,
                        b.connectionsPerEndpoint,
                        b.connectTimeout,
                        b.heartbeatInterval,
                        b.maxMessageSize,
                        b.maxMetadataSize,
                        b.reconnectBackoffMin,
                        b.reconnectBackoffMax,
                        b.maxQueuedBytesPerConnection,
                        b.tls == null ? null : new SslContextSource(b.tls),
                        b.sharedLoops),
                b.serializers);
        this.services = new ServiceClients(new ServiceClients.Parts(
                b.registry,
                transport,
                List.copyOf(b.routers),
                b.loadBalancer,
                List.copyOf(b.endpointInterceptors),
                b.retry,
                b.fallback,
                b.metrics,
                b.tracing,
                List.copyOf(b.interceptors),
                new ContextPropagation(b.propagateContext, b.deadlineMargin, List.copyOf(b.propagatedKeys)),
                b.lostProviderHold));
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A proxy of {@code type} with the client's defaults.
     *
     * @throws IllegalArgumentException if {@code type} breaks the service rules (see {@link
     *     ServiceDescriptor})
     */
    public <T> T refer(Class<T> type) {
        return reference(type).build();
    }

    /** Starts a reference to {@code type} with its own timeout, headers or service name. */
    public <T> ReferenceBuilder<T> reference(Class<T> type) {
        return new ReferenceBuilder<>(this, type);
    }

    /**
     * The full client chain of {@code service}, for callers without a Java interface (the sidecar):
     * requests may carry {@code Payload.encoded} bytes, which pass through without being decoded, and
     * responses come back encoded.
     */
    public Invoker invoker(String service) {
        return services.chain(service);
    }

    /** The providers this client sees for {@code service} now (empty until first used). */
    public List<Endpoint> endpoints(String service) {
        return services.endpoints(service);
    }

    /**
     * The names of the services this client has referenced so far (a proxy or invoker was made for
     * them), sorted. For admin pages: together with {@link #endpoints} it shows what the client sees.
     */
    public List<String> services() {
        return services.names();
    }

    /**
     * The instances of each referenced service that the registry lost (their registration ended
     * without a graceful departure) and that this client still calls because its own connection to
     * them is up and answering heartbeats (see {@link Builder#lostProviderHold}); services without
     * any are left out. For admin pages and gauges.
     */
    public Map<String, List<String>> heldInstances() {
        Map<String, List<String>> held = new LinkedHashMap<>();
        for (String service : services.names()) {
            List<String> ids = services.held(service);
            if (!ids.isEmpty()) {
                held.put(service, ids);
            }
        }
        return held;
    }

    /** The serializers this client encodes and decodes with. */
    public Serializers serializers() {
        return serializers;
    }

    <T> T createProxy(
            Class<T> type,
            String serviceName,
            Duration timeout,
            Duration streamTimeout,
            Metadata headers,
            boolean propagateContext) {
        ServiceDescriptor descriptor = ServiceDescriptor.of(type, serializers);
        ServiceDescriptor named = serviceName == null ? descriptor : descriptor.withName(serviceName);
        return ServiceProxy.create(
                named,
                services.chain(named.name()),
                serializers,
                responseExecutor,
                headers,
                timeout == null ? defaultTimeout : timeout,
                streamTimeout,
                propagateContext);
    }

    /** Closes every connection (calls in flight fail with {@code UNAVAILABLE}) and the I/O threads. */
    @Override
    public void close() {
        services.close();
        transport.close();
    }

    /**
     * Builds an {@link RpcClient}. Not thread-safe. Every setting is optional but {@link #registry};
     * the defaults are documented on each method and validated eagerly.
     */
    public static final class Builder {
        /** Default {@link #lostProviderHold}. */
        public static final Duration DEFAULT_LOST_PROVIDER_HOLD = Duration.ofMinutes(10);

        private Registry registry;
        private Serializers serializers = Serializers.defaults();
        private Duration defaultTimeout = Duration.ofSeconds(5);
        private int ioThreads = Math.min(4, Runtime.getRuntime().availableProcessors());
        private int connectionsPerEndpoint = 1;
        private Duration connectTimeout = Duration.ofSeconds(3);
        private Duration heartbeatInterval = Duration.ofSeconds(15);
        private Duration lostProviderHold = DEFAULT_LOST_PROVIDER_HOLD;
        private int maxMessageSize = ProtocolLimits.DEFAULT_MAX_MESSAGE_SIZE;
        private int maxMetadataSize = ProtocolLimits.DEFAULT_MAX_METADATA_SIZE;
        private Duration reconnectBackoffMin = Duration.ofMillis(100);
        private Duration reconnectBackoffMax = Duration.ofSeconds(5);
        private long maxQueuedBytesPerConnection = 64L * 1024 * 1024;
        private Executor responseExecutor;
        private LoadBalancer.Factory loadBalancer = RoundRobinLoadBalancer.FACTORY;
        private final List<Router> routers = new ArrayList<>();
        private final List<Interceptor> interceptors = new ArrayList<>();
        private final List<Interceptor> endpointInterceptors = new ArrayList<>();
        private Interceptor retry;
        private Interceptor fallback;
        private Interceptor metrics;
        private Interceptor tracing;
        private TlsConfig tls;
        private SharedEventLoops sharedLoops;
        private boolean propagateContext = true;
        private Duration deadlineMargin = Duration.ZERO;
        private final java.util.Set<String> propagatedKeys = new java.util.LinkedHashSet<>();

        private Builder() {}

        /**
         * Connects to every provider over TLS, verifying its certificate (and, by default, that it
         * names the address connected to); presents a client certificate when {@code tls} has one
         * (mutual TLS). A failed handshake fails calls with {@code UNAVAILABLE} "TLS handshake with
         * host:port failed: ...". Default: plaintext.
         *
         * <pre>{@code
         * client.tls(TlsConfig.client()
         *         .trustCertificates(Path.of("ca.crt"))
         *         .keyCertificate(Path.of("billing.crt"), Path.of("billing.key"))
         *         .build());
         * }</pre>
         *
         * @throws IllegalArgumentException if {@code tls} was built with {@code TlsConfig.server(...)}
         */
        public Builder tls(TlsConfig tls) {
            Objects.requireNonNull(tls, "tls");
            if (tls.isServer()) {
                throw new IllegalArgumentException("tls: a server's settings (expected: TlsConfig.client()...build())");
            }
            this.tls = tls;
            return this;
        }

        /** Where providers are found. Required; {@code StaticRegistry} for direct addresses. */
        public Builder registry(Registry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
            return this;
        }

        /** The serializers for messages. Default: {@link Serializers#defaults()} (protobuf, thrift). */
        public Builder serializers(Serializers serializers) {
            this.serializers = Objects.requireNonNull(serializers, "serializers");
            return this;
        }

        /** Timeout of calls made through proxies unless a reference sets its own. Default 5 s; zero means none. */
        public Builder defaultTimeout(Duration timeout) {
            this.defaultTimeout = Checks.nonNegative("defaultTimeout", timeout);
            return this;
        }

        /** I/O (event loop) threads. Default: min(4, available processors). */
        public Builder ioThreads(int threads) {
            this.ioThreads = Checks.range("ioThreads", threads, 1, 256);
            return this;
        }

        /**
         * Advanced: runs the connections on event loops owned by the caller instead of the client's
         * own I/O threads ({@link #ioThreads} is then ignored). The client never stops them; close it
         * before closing them. With as many {@link #connectionsPerEndpoint connections per provider}
         * as loops, each loop has its own connection to each provider, and a call made on one of the
         * loops is written, answered and completed on that loop, with no thread hand-off. Default:
         * the client's own I/O threads.
         *
         * @throws IllegalArgumentException if {@code loops} were not made by {@link EventLoops#create}
         */
        public Builder eventLoops(EventLoops loops) {
            this.sharedLoops = SharedEventLoops.of(loops);
            return this;
        }

        /**
         * Connections to each provider address, each multiplexing many calls. Default 1. A provider's
         * connections run on consecutive I/O threads (each provider starting at the next one); a call
         * made on an I/O thread that has connections to the provider uses those (taking turns when
         * there are more connections than I/O threads), other calls take turns over all of them.
         */
        public Builder connectionsPerEndpoint(int connections) {
            this.connectionsPerEndpoint = Checks.range("connectionsPerEndpoint", connections, 1, 64);
            return this;
        }

        /** How long a connect may take. Default 3 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Checks.positive("connectTimeout", timeout);
            return this;
        }

        /**
         * How long, at most, the client keeps calling an instance the registry <em>lost</em> — removed
         * without a graceful departure, as when a provider's registry session expires in a partition
         * while it keeps serving — as long as this client's own connection to it is up and answering
         * heartbeats. The instance is dropped as soon as that connection fails (or the provider says
         * it is going away), when the registry reports it withdrawn, or after this long. While held it
         * is called only over that connection ({@link Endpoint#isHeld()}, {@link #heldInstances()}).
         * Default 10 minutes; zero: drop lost instances at once, as the registry says.
         */
        public Builder lostProviderHold(Duration hold) {
            Objects.requireNonNull(hold, "lostProviderHold");
            if (hold.isNegative()) {
                throw new IllegalArgumentException("lostProviderHold: " + hold + " (expected: >= 0)");
            }
            this.lostProviderHold = hold;
            return this;
        }

        /** Idle time after which a heartbeat is sent; silence for 3x closes the connection. Default 15 s. */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = Checks.positive("heartbeatInterval", interval);
            return this;
        }

        /** Largest message sent or accepted, in bytes. Default 4 MiB. */
        public Builder maxMessageSize(int bytes) {
            this.maxMessageSize = Checks.range("maxMessageSize", bytes, 1, Integer.MAX_VALUE / 8);
            return this;
        }

        /** Largest response metadata accepted, in bytes. Default 8 KiB. */
        public Builder maxMetadataSize(int bytes) {
            this.maxMetadataSize = Checks.range("maxMetadataSize", bytes, 0, 1024 * 1024);
            return this;
        }

        /**
         * Bytes of requests waiting to be sent on one connection (written, not yet taken by the
         * socket) past which new calls on it fail at once with {@code UNAVAILABLE} "not sent" (which
         * failover retries on another provider) instead of queueing: a provider that stops reading
         * cannot grow this client's memory past this per connection. Default 64 MiB.
         */
        public Builder maxQueuedBytesPerConnection(long bytes) {
            if (bytes < 1024 * 1024 || bytes > (1L << 40)) {
                throw new IllegalArgumentException(
                        "maxQueuedBytesPerConnection: " + bytes + " (expected: 1 MiB..1 TiB)");
            }
            this.maxQueuedBytesPerConnection = bytes;
            return this;
        }

        /** Back-off after failed connects: from {@code min}, doubling, up to {@code max}. Default 100 ms to 5 s. */
        public Builder reconnectBackoff(Duration min, Duration max) {
            Checks.positive("reconnectBackoff min", min);
            Checks.positive("reconnectBackoff max", max);
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("reconnectBackoff: max " + max + " < min " + min);
            }
            this.reconnectBackoffMin = min;
            this.reconnectBackoffMax = max;
            return this;
        }

        /**
         * Where asynchronous proxy methods complete their stages, and so where callbacks attached with
         * the non-{@code Async} methods ({@code thenApply}, {@code whenComplete}) run. Default: none,
         * the stage completes on the I/O thread that read the response (as in Armeria or Lettuce):
         * fastest, but such callbacks must not block; use {@code thenApplyAsync(fn, executor)} for
         * blocking work, or set an executor here (e.g. {@code ForkJoinPool.commonPool()}) to move
         * every completion off the I/O threads.
         */
        public Builder responseExecutor(Executor executor) {
            this.responseExecutor = Objects.requireNonNull(executor, "responseExecutor");
            return this;
        }

        /** Creates the balancer of each service. Default: round robin. */
        public Builder loadBalancer(LoadBalancer.Factory factory) {
            this.loadBalancer = Objects.requireNonNull(factory, "loadBalancer");
            return this;
        }

        /** Adds a router; routers run in the order added, before the load balancer. */
        public Builder router(Router router) {
            routers.add(Objects.requireNonNull(router, "router"));
            return this;
        }

        /** Adds a user interceptor; they run outermost, in the order added. */
        public Builder interceptor(Interceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /**
         * Adds an interceptor run once per attempt, after the load balancer picked the endpoint (the
         * request carries it as {@code CallAttributes.ENDPOINT}); e.g. a per-endpoint circuit breaker.
         */
        public Builder endpointInterceptor(Interceptor interceptor) {
            endpointInterceptors.add(Objects.requireNonNull(interceptor, "endpointInterceptor"));
            return this;
        }

        /** The retry / failover policy, above the cluster. Default: none (one attempt). */
        public Builder retry(Interceptor retry) {
            this.retry = retry;
            return this;
        }

        /** The fallback, above retry. Default: none. */
        public Builder fallback(Interceptor fallback) {
            this.fallback = fallback;
            return this;
        }

        /** The metrics interceptor, above fallback. Default: none. */
        public Builder metrics(Interceptor metrics) {
            this.metrics = metrics;
            return this;
        }

        /** The tracing interceptor, the outermost built-in. Default: none. */
        public Builder tracing(Interceptor tracing) {
            this.tracing = tracing;
            return this;
        }

        /**
         * Whether calls made while serving a call inherit from its {@link io.outrigger.core.CallContext}:
         * its remaining deadline (minus {@link #deadlineMargin}) caps theirs, the {@link
         * #propagateKeys propagated keys} are copied, and cancelling it cancels them. Default: true.
         * One reference can opt out with {@code ReferenceBuilder.propagateContext(false)}, one call
         * with the {@link io.outrigger.core.CallAttributes#PROPAGATE_CONTEXT} attribute or by running
         * in {@link io.outrigger.core.CallContext#runDetached}.
         */
        public Builder propagateContext(boolean propagate) {
            this.propagateContext = propagate;
            return this;
        }

        /**
         * Time taken off the served call's remaining deadline before it caps a downstream call, so the
         * downstream answer (or its failure) can still travel back in time. Default: zero.
         */
        public Builder deadlineMargin(Duration margin) {
            this.deadlineMargin = Checks.nonNegative("deadlineMargin", margin);
            return this;
        }

        /**
         * Metadata keys copied from the call being served to the calls made for it (when the
         * downstream call does not set them itself), e.g. the canary tag {@code outrigger-tag}, a
         * version or group pin, a hash key, a tenant. Nothing is copied by default: a key travels
         * on only when it is named here.
         *
         * @throws IllegalArgumentException if a key is not a valid metadata key
         */
        public Builder propagateKeys(String... keys) {
            for (String key : keys) {
                io.outrigger.core.Metadata.checkKey(key);
                propagatedKeys.add(key);
            }
            return this;
        }

        /**
         * The client, with its I/O threads started.
         *
         * @throws IllegalStateException if no registry was given
         * @throws IllegalArgumentException if the TLS files cannot be used (the message names them)
         */
        public RpcClient build() {
            if (registry == null) {
                throw new IllegalStateException(
                        "registry: not set (expected: a Registry, e.g. StaticRegistry.of(instance) for direct addresses)");
            }
            return new RpcClient(this);
        }
    }
}
