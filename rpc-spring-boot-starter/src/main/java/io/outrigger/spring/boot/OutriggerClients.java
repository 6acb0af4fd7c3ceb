package io.outrigger.spring.boot;

import io.outrigger.core.Interceptor;
import io.outrigger.core.client.ReferenceBuilder;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.Registry;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.service.ServiceDescriptor;
import io.outrigger.core.tls.TlsConfig;
import io.outrigger.governance.ClientGovernance;
import io.outrigger.governance.Fallback;
import io.outrigger.governance.LiveRules;
import io.outrigger.governance.RetryPolicy;
import io.outrigger.observability.OutriggerTelemetry;
import io.outrigger.spring.boot.internal.BearerTokenSource;
import io.outrigger.spring.boot.internal.ClientCertificateHint;
import io.outrigger.spring.boot.internal.ReferenceSpec;
import io.outrigger.spring.boot.internal.ReferenceSpec.ClientKey;
import io.outrigger.spring.boot.internal.RegistryAddress;
import io.outrigger.spring.boot.internal.RpcReferences;
import io.outrigger.spring.boot.internal.TlsConfigFromProperties;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * The clients behind the {@code @RpcReference} proxies: one {@link RpcClient} per distinct version
 * and group of the references (most applications have one), configured from {@code
 * outrigger.client.*}, governed ({@code ClientGovernance}, with live rules from the registry) and
 * instrumented with the application's {@code OpenTelemetry} when there is one.
 *
 * <p>Each client gets TLS from {@code outrigger.client.tls.*}, the bearer token of {@code
 * outrigger.client.bearer-token} (or {@code -file}), then every {@link RpcClientBuilderCustomizer}
 * bean, in order.
 *
 * <p>A client is built when the first reference needing it is injected. Its fallbacks are those named
 * by every {@code @RpcReference} with the same version and group in the context, found by reading
 * the bean classes once. Closed when the context closes, after the server has drained (so calls the
 * server is still answering can use them). Thread-safe.
 *
 * <pre>{@code
 * UserService users = outriggerClients.reference(UserService.class, "2.*", "");
 * }</pre>
 */
public final class OutriggerClients implements DisposableBean {

    private final OutriggerProperties properties;
    private final Registry registry;
    private final RegistryAddress address;
    private final LiveRules rules;
    private final OutriggerTelemetry telemetry;
    private final ConfigurableListableBeanFactory beanFactory;
    private final List<RpcClientBuilderCustomizer> customizers;
    private final Map<ClientKey, RpcClient> clients = new LinkedHashMap<>();
    private final List<ReferenceSpec> references = new ArrayList<>();
    private final List<ClientGovernance> governances = new ArrayList<>();
    private final OutriggerTelemetry.Registration breakerGauge;
    private boolean closed;

    /**
     * Clients on {@code registry}, without customizers.
     *
     * @param telemetry null for no tracing and metrics
     */
    public OutriggerClients(
            OutriggerProperties properties,
            Registry registry,
            LiveRules rules,
            OutriggerTelemetry telemetry,
            ConfigurableListableBeanFactory beanFactory) {
        this(properties, registry, rules, telemetry, List.of(), beanFactory);
    }

    /**
     * Clients on {@code registry}.
     *
     * @param telemetry null for no tracing and metrics
     * @param customizers applied to each client's builder in this order, after the properties
     */
    public OutriggerClients(
            OutriggerProperties properties,
            Registry registry,
            LiveRules rules,
            OutriggerTelemetry telemetry,
            List<RpcClientBuilderCustomizer> customizers,
            ConfigurableListableBeanFactory beanFactory) {
        this.customizers = List.copyOf(customizers);
        this.properties = Objects.requireNonNull(properties, "properties");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.address = RegistryAddress.parse(properties.getRegistry().getAddress());
        this.rules = Objects.requireNonNull(rules, "rules");
        this.telemetry = telemetry;
        this.beanFactory = Objects.requireNonNull(beanFactory, "beanFactory");
        this.breakerGauge = telemetry == null ? () -> {} : telemetry.observeBreakerStates(this::breakerStates);
    }

    /**
     * A proxy of {@code type} calling providers of {@code version} (empty: any) in {@code group}
     * (empty: any), with the default timeout and no fallback.
     *
     * @throws IllegalArgumentException if {@code type} is not a service interface
     */
    public <T> T reference(Class<T> type, String version, String group) {
        ReferenceSpec spec = new ReferenceSpec(
                type,
                ServiceDescriptor.of(type).name(),
                Objects.requireNonNull(version, "version"),
                Objects.requireNonNull(group, "group"),
                null,
                "",
                "OutriggerClients.reference(" + type.getName() + ")");
        return type.cast(reference(spec));
    }

    /** The proxy for one checked {@code @RpcReference}. */
    Object reference(ReferenceSpec spec) {
        RpcClient client;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("Outrigger clients are closed (the application context is closing)");
            }
            client = clients.computeIfAbsent(spec.clientKey(), this::newClient);
            references.add(spec);
        }
        if (registry instanceof StaticRegistry s && !address.staticAddresses().isEmpty()) {
            // static://host:port,...: every referenced service is served at those addresses.
            for (RegistryAddress.HostPort hp : address.staticAddresses()) {
                s.register(ServiceInstance.builder(spec.service(), hp.host(), hp.port())
                        .build());
            }
        }
        ReferenceBuilder<?> builder = client.reference(spec.type()).serviceName(spec.service());
        if (spec.timeout() != null) {
            builder.timeout(spec.timeout());
        }
        return builder.build();
    }

    private RpcClient newClient(ClientKey key) {
        OutriggerProperties.Client c = properties.getClient();
        ClientGovernance.Builder governance = ClientGovernance.builder()
                .rules(rules)
                .loadBalancing(c.getLoadBalancer())
                .warmUp(c.getWarmUp())
                .retryPolicy(
                        RetryPolicy.builder().maxAttempts(c.getMaxAttempts()).build());
        if (c.getHashHeader() != null && !c.getHashHeader().isBlank()) {
            governance.hashHeader(c.getHashHeader());
        }
        if (!key.version().isEmpty()) {
            governance.version(key.version().split("\\s*,\\s*"));
        }
        if (!key.group().isEmpty()) {
            governance.group(key.group());
        }
        RpcReferences.fallbacks(beanFactory, key)
                .forEach((service, fallback) -> addFallback(governance, service, fallback));
        RpcClient.Builder builder = RpcClient.builder()
                .registry(registry)
                .defaultTimeout(c.getDefaultTimeout())
                .connectTimeout(c.getConnectTimeout())
                .propagateContext(c.isPropagateContext())
                .deadlineMargin(c.getDeadlineMargin())
                .propagateKeys(c.getPropagateKeys().toArray(String[]::new))
                .connectionsPerEndpoint(c.getConnectionsPerEndpoint())
                .ioThreads(c.getIoThreads());
        if (telemetry != null) {
            governance.breakerListener(telemetry::recordBreakerTransition);
        }
        ClientGovernance built = governance.build();
        governances.add(built);
        built.applyTo(builder);
        if (telemetry != null) {
            telemetry.instrument(builder);
        }
        TlsConfig tls = TlsConfigFromProperties.client(c.getTls());
        if (tls != null) {
            builder.tls(tls);
            if (tls.certificateChain().isEmpty()) {
                builder.interceptor(new ClientCertificateHint());
            }
        }
        Interceptor token = BearerTokenSource.interceptor(c);
        if (token != null) {
            builder.interceptor(token);
        }
        // Last, so a customizer sees (and may replace) everything the properties set.
        customizers.forEach(customizer -> customizer.customize(builder));
        return builder.build();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void addFallback(ClientGovernance.Builder governance, String service, RpcReferences.FallbackBean f) {
        governance.fallback(service, Fallback.of((Class) f.type(), f.bean()));
    }

    /** Every reference injected so far, in order. */
    public synchronized List<ReferenceSpec> references() {
        return List.copyOf(references);
    }

    /** The clients built so far. */
    public synchronized List<RpcClient> clients() {
        return List.copyOf(clients.values());
    }

    /**
     * The state of every circuit breaker of every client, by name ({@code service/method} or {@code
     * service@host:port}); see {@code ClientGovernance.breakerStates()}. When clients of different
     * versions or groups have a breaker of the same name, a state other than {@code CLOSED} wins.
     */
    public Map<String, String> breakerStates() {
        List<ClientGovernance> all;
        synchronized (this) {
            all = List.copyOf(governances);
        }
        Map<String, String> states = new TreeMap<>();
        for (ClientGovernance g : all) {
            g.breakerStates().forEach((name, state) -> states.merge(name, state, (a, b) -> "CLOSED".equals(a) ? b : a));
        }
        return states;
    }

    /** Closes every client; calls still in flight fail with {@code UNAVAILABLE}. */
    @Override
    public void destroy() {
        breakerGauge.close();
        List<RpcClient> toClose;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(clients.values());
            clients.clear();
        }
        toClose.forEach(RpcClient::close);
    }
}
