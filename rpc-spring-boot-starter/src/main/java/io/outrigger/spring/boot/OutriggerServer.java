package io.outrigger.spring.boot;

import io.outrigger.core.auth.AccessControl;
import io.outrigger.core.registry.Registry;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.service.ServiceDescriptor;
import io.outrigger.core.tls.TlsConfig;
import io.outrigger.governance.LiveRules;
import io.outrigger.governance.ServerGovernance;
import io.outrigger.observability.OutriggerTelemetry;
import io.outrigger.spring.boot.internal.TlsConfigFromProperties;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanCreationException;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.ClassUtils;

/**
 * The server exporting the {@code @RpcService} beans, started and stopped with the application
 * context.
 *
 * <p>Start (phase {@link #PHASE}, after the web server): once every singleton exists, finds the
 * {@code @RpcService} beans, binds {@code outrigger.server.host:port}, and only then registers each
 * service. No {@code @RpcService} bean: nothing is started.
 *
 * <p>Stop (same phase, so before the web server stops): unregisters every service, waits {@code
 * outrigger.server.propagation-delay} so consumers stop picking this server, tells connected clients
 * to send no new calls, waits up to {@code outrigger.server.drain-timeout} for calls in flight, and
 * closes. It runs on its own thread and reports to Spring when done, so other beans of the phase stop
 * meanwhile. A rolling restart therefore loses no calls: consumers retry the few calls that race the
 * unregistration on another provider (they were refused before running). Keep {@code
 * spring.lifecycle.timeout-per-shutdown-phase} (default 30 s) above the delay plus the drain timeout.
 *
 * <p>The server is built from {@code outrigger.server.*}: TLS from {@code outrigger.server.tls.*};
 * the slots of its chain filled with tracing, metrics and the access log, the access control (the
 * application's {@code AccessControl} bean, else {@code outrigger.server.access-control.*}) in the
 * auth slot, and the rate limits and bulkheads of the live rules ({@code serverLimits}) in the
 * limits slot; then every {@link RpcServerBuilderCustomizer} bean runs, in order. The chain's order
 * is the server's ({@code RpcServer}), not the order of these steps: a customizer may replace a
 * slot, and its interceptors run after all of them.
 *
 * <p>Thread-safe.
 */
public final class OutriggerServer implements SmartLifecycle {

    /** The lifecycle phase: later than Boot's web server (which stops after this), {@value}. */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

    private static final Logger log = LoggerFactory.getLogger(OutriggerServer.class);

    /** Where the server is in its life. */
    public enum State {
        /** Not started yet. */
        NEW,
        /** Started with no {@code @RpcService} bean: nothing to serve. */
        IDLE,
        /** Serving and registered. */
        RUNNING,
        /** Unregistered, draining the calls in flight. */
        DRAINING,
        /** Stopped. */
        STOPPED
    }

    /**
     * An exported service.
     *
     * @param bean the bean's name
     * @param type the service interface
     */
    public record ExportedService(
            String bean, Class<?> type, String service, String version, String group, Set<String> tags, int weight) {}

    private final OutriggerProperties properties;
    private final Registry registry;
    private final LiveRules rules;
    private final OutriggerTelemetry telemetry;
    private final ConfigurableListableBeanFactory beanFactory;
    private final AccessControl accessControl;
    private final List<RpcServerBuilderCustomizer> customizers;
    private volatile State state = State.NEW;
    private volatile RpcServer server;
    private volatile List<ExportedService> exported = List.of();
    private final List<ServiceInstance> registered = new ArrayList<>();

    /**
     * A server exporting the {@code @RpcService} beans of {@code beanFactory}, without access control
     * or customizers.
     *
     * @param telemetry null for no tracing and metrics
     */
    public OutriggerServer(
            OutriggerProperties properties,
            Registry registry,
            LiveRules rules,
            OutriggerTelemetry telemetry,
            ConfigurableListableBeanFactory beanFactory) {
        this(properties, registry, rules, telemetry, null, List.of(), beanFactory);
    }

    /**
     * A server exporting the {@code @RpcService} beans of {@code beanFactory}.
     *
     * @param telemetry null for no tracing and metrics
     * @param accessControl for the server's auth slot (before the rate limits); null for none
     * @param customizers applied in this order, after the properties
     */
    public OutriggerServer(
            OutriggerProperties properties,
            Registry registry,
            LiveRules rules,
            OutriggerTelemetry telemetry,
            AccessControl accessControl,
            List<RpcServerBuilderCustomizer> customizers,
            ConfigurableListableBeanFactory beanFactory) {
        this.properties = Objects.requireNonNull(properties, "properties");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.telemetry = telemetry;
        this.accessControl = accessControl;
        this.customizers = List.copyOf(customizers);
        this.beanFactory = Objects.requireNonNull(beanFactory, "beanFactory");
    }

    @Override
    public synchronized void start() {
        if (state != State.NEW) {
            return;
        }
        Map<String, Object> beans = beanFactory.getBeansWithAnnotation(RpcService.class);
        if (beans.isEmpty()) {
            state = State.IDLE;
            return;
        }
        OutriggerProperties.Server s = properties.getServer();
        RpcServer.Builder builder = RpcServer.builder()
                .host(s.getHost())
                .port(s.getPort())
                .ioThreads(s.getIoThreads())
                .workerThreads(s.getWorkerThreads())
                .queueCapacity(s.getQueueCapacity())
                .maxConnections(s.getMaxConnections())
                .maxConnectionsPerAddress(s.getMaxConnectionsPerAddress())
                .maxConcurrentCallsPerConnection(s.getMaxConcurrentCallsPerConnection())
                .drainTimeout(s.getDrainTimeout());
        TlsConfig tls = TlsConfigFromProperties.server(s.getTls());
        if (tls != null) {
            builder.tls(tls);
        }
        if (telemetry != null) {
            telemetry.instrument(builder); // the tracing, metrics and access-log slots
        }
        builder.auth(accessControl) // null: none
                .limits(ServerGovernance.builder().rules(rules).build().limits());
        List<ExportedService> services = new ArrayList<>();
        for (Map.Entry<String, Object> e : beans.entrySet()) {
            ExportedService service = describe(e.getKey(), e.getValue());
            try {
                builder.service(ServiceDescriptor.of(service.type()).withName(service.service()), e.getValue());
            } catch (IllegalArgumentException ex) {
                throw new BeanCreationException(e.getKey(), "@RpcService: " + ex.getMessage(), ex);
            }
            services.add(service);
        }
        // Last, so a customizer sees (and may replace) everything the properties set.
        customizers.forEach(c -> c.customize(builder));
        RpcServer started = builder.build().start();
        server = started;
        exported = List.copyOf(services);
        String host = announceHost();
        // Registered only now, with every bean ready and the port bound: a caller never finds this
        // provider before it can answer.
        for (ExportedService service : services) {
            ServiceInstance instance = ServiceInstance.builder(service.service(), host, started.port())
                    .incarnation(started.incarnation())
                    .version(service.version())
                    .group(service.group())
                    .tags(service.tags())
                    .zone(s.getZone())
                    .weight(service.weight())
                    .build();
            registry.register(instance);
            registered.add(instance);
        }
        state = State.RUNNING;
        log.info(
                "Outrigger exported {} on {}:{}, announced as {}{}",
                started.serviceNames(),
                s.getHost(),
                started.port(),
                host,
                accessControl == null ? "" : ", with access control");
    }

    private ExportedService describe(String beanName, Object bean) {
        RpcService annotation = beanFactory.findAnnotationOnBean(beanName, RpcService.class);
        Class<?> beanClass = beanFactory.getType(beanName);
        if (beanClass == null) {
            beanClass = bean.getClass();
        }
        beanClass = ClassUtils.getUserClass(beanClass);
        Class<?> type = serviceInterface(beanName, beanClass, bean, annotation);
        String service = ServiceDescriptor.of(type).name();
        OutriggerProperties.Server s = properties.getServer();
        int weight = annotation.weight() < 0 ? s.getWeight() : annotation.weight();
        if (weight > 10_000) {
            throw new BeanCreationException(
                    beanName, "@RpcService(weight = " + annotation.weight() + ") (expected: 0..10000)");
        }
        Set<String> tags = new LinkedHashSet<>(s.getTags());
        tags.addAll(List.of(annotation.tags()));
        return new ExportedService(
                beanName,
                type,
                service,
                annotation.version().isEmpty() ? s.getVersion() : annotation.version(),
                annotation.group().isEmpty() ? s.getGroup() : annotation.group(),
                Set.copyOf(tags),
                weight);
    }

    private static Class<?> serviceInterface(String beanName, Class<?> beanClass, Object bean, RpcService annotation) {
        if (annotation.type() != void.class) {
            Class<?> type = annotation.type();
            if (!type.isInstance(bean)) {
                throw new BeanCreationException(
                        beanName,
                        "@RpcService(type = " + type.getName() + "): bean '" + beanName + "' (" + beanClass.getName()
                                + ") does not implement it");
            }
            try {
                ServiceDescriptor.of(type);
            } catch (IllegalArgumentException e) {
                throw new BeanCreationException(
                        beanName, "@RpcService(type = " + type.getName() + "): " + e.getMessage());
            }
            return type;
        }
        List<Class<?>> services = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        for (Class<?> i : ClassUtils.getAllInterfacesForClassAsSet(beanClass)) {
            if (i.getName().startsWith("java.") || i.getName().startsWith("org.springframework.")) {
                continue;
            }
            try {
                ServiceDescriptor.of(i);
                services.add(i);
            } catch (IllegalArgumentException e) {
                rejected.add(e.getMessage());
            }
        }
        if (services.size() == 1) {
            return services.get(0);
        }
        if (services.isEmpty()) {
            throw new BeanCreationException(
                    beanName,
                    "@RpcService on bean '" + beanName + "' (" + beanClass.getName()
                            + "): it implements no service interface (expected: an interface whose methods take and return"
                            + " messages)" + (rejected.isEmpty() ? "" : "; " + String.join("; ", rejected)));
        }
        throw new BeanCreationException(
                beanName,
                "@RpcService on bean '" + beanName + "' (" + beanClass.getName()
                        + "): it implements several service interfaces "
                        + services.stream().map(Class::getName).toList()
                        + " (expected: name one with @RpcService(type = ...))");
    }

    private String announceHost() {
        OutriggerProperties.Server s = properties.getServer();
        if (s.getAnnounceHost() != null && !s.getAnnounceHost().isBlank()) {
            return s.getAnnounceHost();
        }
        try {
            InetAddress bound = InetAddress.getByName(s.getHost());
            if (!bound.isAnyLocalAddress()) {
                return bound.getHostAddress();
            }
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            throw new IllegalStateException(
                    "outrigger.server.announce-host: not set, and this machine's address is unknown; set it", e);
        }
    }

    @Override
    public void stop(Runnable callback) {
        synchronized (this) {
            if (state != State.RUNNING) {
                if (state == State.NEW || state == State.IDLE) {
                    state = State.STOPPED;
                }
                callback.run();
                return;
            }
            state = State.DRAINING;
        }
        Thread t = new Thread(
                () -> {
                    try {
                        shutdown();
                    } finally {
                        callback.run();
                    }
                },
                "outrigger-shutdown");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void stop() {
        synchronized (this) {
            if (state != State.RUNNING) {
                return;
            }
            state = State.DRAINING;
        }
        shutdown();
    }

    private void shutdown() {
        OutriggerProperties.Server s = properties.getServer();
        List<ServiceInstance> toWithdraw;
        synchronized (registered) {
            toWithdraw = new ArrayList<>(registered);
            registered.clear();
        }
        for (ServiceInstance instance : toWithdraw) {
            try {
                registry.unregister(instance);
            } catch (RuntimeException e) {
                log.warn("could not unregister {}: {}", instance, e.toString());
            }
        }
        sleep(s.getPropagationDelay());
        int lost = server.shutdown(s.getDrainTimeout());
        if (lost > 0) {
            log.warn("Outrigger server stopped with {} calls still in flight after {}", lost, s.getDrainTimeout());
        }
        state = State.STOPPED;
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

    @Override
    public boolean isRunning() {
        State st = state;
        return st == State.RUNNING || st == State.DRAINING;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** Where the server is in its life. */
    public State state() {
        return state;
    }

    /** The port served on, or -1 when not serving. */
    public int port() {
        RpcServer s = server;
        return s == null || state == State.STOPPED ? -1 : s.port();
    }

    /** Calls accepted and not yet answered (0 when not serving). */
    public int inFlight() {
        RpcServer s = server;
        return s == null || state == State.STOPPED ? 0 : s.inFlight();
    }

    /** The services exported (empty before start). */
    public List<ExportedService> exported() {
        return exported;
    }

    /** The access control installed, or null for none. */
    public AccessControl accessControl() {
        return accessControl;
    }

    /** The underlying server, or null before start or with nothing to serve. */
    public RpcServer rpcServer() {
        return server;
    }
}
