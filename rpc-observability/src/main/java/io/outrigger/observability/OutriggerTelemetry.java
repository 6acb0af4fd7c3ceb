package io.outrigger.observability;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableDoubleGauge;
import io.opentelemetry.api.metrics.ObservableLongGauge;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.outrigger.core.Interceptor;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.server.RpcServer;
import io.outrigger.observability.internal.AccessLogInterceptor;
import io.outrigger.observability.internal.AttemptTracingInterceptor;
import io.outrigger.observability.internal.CallMetrics;
import io.outrigger.observability.internal.ClientTracingInterceptor;
import io.outrigger.observability.internal.MetricsInterceptor;
import io.outrigger.observability.internal.RpcSemantics;
import io.outrigger.observability.internal.ServerTracingInterceptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tracing, metrics and access logs for Outrigger clients and servers, through the OpenTelemetry API
 * only: the application brings the SDK (or runs the Java agent). Without one, {@link
 * GlobalOpenTelemetry} is a no-op and so is everything here, at the cost of a few calls per RPC.
 *
 * <pre>{@code
 * OutriggerTelemetry telemetry = OutriggerTelemetry.create(openTelemetry);
 * RpcClient client = telemetry.instrument(RpcClient.builder().registry(registry)).build();
 * RpcServer server = telemetry.instrument(RpcServer.builder().service(UserService.class, impl)).build();
 * }</pre>
 *
 * <p>Or slot by slot: {@link #clientTracing()} into {@code RpcClient.Builder.tracing}, {@link
 * #clientAttemptTracing()} into {@code .endpointInterceptor}, {@link #clientMetrics()} into {@code
 * .metrics}; {@link #serverTracing()} into {@code RpcServer.Builder.tracing}, {@link
 * #serverMetrics()} into {@code .metrics} and {@link #serverAccessLog()} into {@code .accessLog}.
 * The server chain runs its slots in that order, outside auth, limits and the user interceptors,
 * whatever order the builder's methods are called in.
 *
 * <p>It also takes measurements from modules it does not depend on (breakers, node caches, registry
 * connections) through {@link #recordBreakerTransition}, {@link #observeNodeCacheAge} and {@link
 * #observeRegistryConnection}. What each span, metric and log line holds is in {@code
 * docs/observability.md}. Thread-safe; the interceptors are stateless and may be shared by any number
 * of clients and servers.
 */
public final class OutriggerTelemetry {

    private static final Logger log = LoggerFactory.getLogger(OutriggerTelemetry.class);

    private final Tracer tracer;
    private final Meter meter;
    private final TextMapPropagator propagator;
    private final boolean mdc;
    private final boolean accessLog;
    private final double accessLogSampleRatio;
    private final Interceptor clientTracing;
    private final Interceptor clientAttemptTracing;
    private final Interceptor clientMetrics;
    private final Interceptor serverTracing;
    private final Interceptor serverMetrics;
    private final Interceptor serverAccessLog;
    private final LongCounter breakerTransitions;

    private OutriggerTelemetry(Builder b) {
        this.tracer = b.openTelemetry.getTracer(RpcSemantics.SCOPE);
        this.meter = b.openTelemetry.getMeter(RpcSemantics.SCOPE);
        this.propagator = b.propagator != null
                ? b.propagator
                : b.openTelemetry.getPropagators().getTextMapPropagator();
        this.mdc = b.mdc;
        this.accessLog = b.accessLog;
        this.accessLogSampleRatio = b.accessLogSampleRatio;
        this.clientTracing = new ClientTracingInterceptor(tracer, propagator);
        this.clientAttemptTracing = new AttemptTracingInterceptor(tracer, propagator);
        this.clientMetrics = new MetricsInterceptor(new CallMetrics(meter, false));
        this.serverTracing = new ServerTracingInterceptor(tracer, propagator, mdc);
        this.serverMetrics = new MetricsInterceptor(new CallMetrics(meter, true));
        this.serverAccessLog = new AccessLogInterceptor(accessLogSampleRatio);
        this.breakerTransitions = meter.counterBuilder("outrigger.breaker.transitions")
                .setUnit("{transition}")
                .setDescription("Circuit breaker state changes.")
                .build();
    }

    /** Telemetry through {@code openTelemetry} with the defaults (see {@link Builder}). */
    public static OutriggerTelemetry create(OpenTelemetry openTelemetry) {
        return builder(openTelemetry).build();
    }

    /**
     * Telemetry through {@link GlobalOpenTelemetry#get()}: the Java agent's or an SDK registered
     * globally; a no-op otherwise.
     */
    public static OutriggerTelemetry global() {
        return create(GlobalOpenTelemetry.get());
    }

    /** A builder of telemetry through {@code openTelemetry}. */
    public static Builder builder(OpenTelemetry openTelemetry) {
        return new Builder(openTelemetry);
    }

    /**
     * The client tracing interceptor, for {@code RpcClient.Builder.tracing(...)}: one CLIENT span per
     * call, covering retries and fallbacks, its context injected into the request metadata.
     */
    public Interceptor clientTracing() {
        return clientTracing;
    }

    /**
     * The attempt tracing interceptor, for {@code RpcClient.Builder.endpointInterceptor(...)}: one
     * INTERNAL span per attempt, child of the call span, naming the endpoint and the attempt number.
     * Server spans then hang under the attempt that reached them.
     */
    public Interceptor clientAttemptTracing() {
        return clientAttemptTracing;
    }

    /** The client metrics interceptor, for {@code RpcClient.Builder.metrics(...)}. */
    public Interceptor clientMetrics() {
        return clientMetrics;
    }

    /**
     * The server tracing interceptor, for {@code RpcServer.Builder.tracing(...)}: one SERVER span per
     * call, child of the caller's span; the span is current and its ids are in the SLF4J MDC while
     * the rest of the server chain and the service method run.
     */
    public Interceptor serverTracing() {
        return serverTracing;
    }

    /** The server metrics interceptor, for {@code RpcServer.Builder.metrics(...)}. */
    public Interceptor serverMetrics() {
        return serverMetrics;
    }

    /**
     * The access-log interceptor (logger {@code outrigger.access}), for {@code
     * RpcServer.Builder.accessLog(...)}, which runs it inside the tracing slot so it knows the trace
     * id. Logs whatever the builder's settings say, even when the access log is turned off there
     * (then {@link #instrument(RpcServer.Builder)} and {@link #serverInterceptors()} leave it out).
     */
    public Interceptor serverAccessLog() {
        return serverAccessLog;
    }

    /**
     * The server interceptors in the order the server chain runs them: tracing, metrics, then the
     * access log (when enabled). For chains composed by hand ({@code Invoker.decorate(service,
     * telemetry.serverInterceptors())}); on an {@code RpcServer} use {@link
     * #instrument(RpcServer.Builder)}, which puts each in its slot. Not for {@code
     * RpcServer.Builder.interceptor(...)}: user interceptors run inside auth and the limits, so
     * refusals would go unseen.
     */
    public List<Interceptor> serverInterceptors() {
        List<Interceptor> list = new ArrayList<>(3);
        list.add(serverTracing);
        list.add(serverMetrics);
        if (accessLog) {
            list.add(serverAccessLog);
        }
        return List.copyOf(list);
    }

    /**
     * Fills the tracing, metrics and endpoint-interceptor slots of {@code client}: calls and attempts
     * are traced, calls are measured. Returns {@code client}.
     */
    public RpcClient.Builder instrument(RpcClient.Builder client) {
        return client.tracing(clientTracing).metrics(clientMetrics).endpointInterceptor(clientAttemptTracing);
    }

    /**
     * Fills the tracing, metrics and access-log slots of {@code server} (the access-log slot is
     * emptied when the access log is off): calls are traced, measured and logged, refusals by auth
     * and limits included, whenever this is called. Returns {@code server}.
     */
    public RpcServer.Builder instrument(RpcServer.Builder server) {
        return server.tracing(serverTracing).metrics(serverMetrics).accessLog(accessLog ? serverAccessLog : null);
    }

    /**
     * {@code executor} made to run each task in the OpenTelemetry context current when the task was
     * submitted. Give it to {@code RpcClient.Builder.responseExecutor(...)} so the callbacks of
     * asynchronous calls run in the context the call was made in (the Java agent does this by
     * itself).
     */
    public static Executor contextPropagating(Executor executor) {
        return Context.taskWrapping(Objects.requireNonNull(executor, "executor"));
    }

    /**
     * Counts a circuit breaker's state change on {@code outrigger.breaker.transitions}. For the module
     * that owns the breakers, e.g. from a Resilience4j state-transition event.
     *
     * @param breaker the breaker's name, e.g. {@code demo.UserService} or {@code demo.UserService@10.0.0.5:7000}
     * @param from the state left, e.g. {@code CLOSED}
     * @param to the state entered, e.g. {@code OPEN}
     */
    public void recordBreakerTransition(String breaker, String from, String to) {
        breakerTransitions.add(
                1,
                Attributes.of(
                        OutriggerAttributes.BREAKER, breaker,
                        OutriggerAttributes.BREAKER_FROM, from,
                        OutriggerAttributes.BREAKER_TO, to));
    }

    /**
     * Reports {@code outrigger.breaker.state} each time metrics are collected: for every breaker, 1
     * for the state it is in and 0 for the other usual states ({@code CLOSED}, {@code OPEN}, {@code
     * HALF_OPEN}), so a dashboard can count open breakers with a sum. rpc-governance's {@code
     * ClientGovernance::breakerStates} fits. Close the registration when the breakers go away.
     *
     * @param statesByBreaker called on collection, on the metrics reader's thread; each breaker's
     *     name and current state
     */
    public Registration observeBreakerStates(Supplier<Map<String, String>> statesByBreaker) {
        Objects.requireNonNull(statesByBreaker, "statesByBreaker");
        ObservableLongGauge gauge = meter.gaugeBuilder("outrigger.breaker.state")
                .ofLongs()
                .setUnit("1")
                .setDescription("1 for the state each circuit breaker is in now, 0 for its other states.")
                .buildWithCallback(m -> {
                    Map<String, String> states = safely(statesByBreaker, "breaker states");
                    if (states == null) {
                        return;
                    }
                    states.forEach((breaker, state) -> {
                        for (String usual : USUAL_BREAKER_STATES) {
                            m.record(usual.equals(state) ? 1 : 0, breakerState(breaker, usual));
                        }
                        if (!USUAL_BREAKER_STATES.contains(state)) {
                            m.record(1, breakerState(breaker, state));
                        }
                    });
                });
        return gauge::close;
    }

    private static final List<String> USUAL_BREAKER_STATES = List.of("CLOSED", "OPEN", "HALF_OPEN");

    private static Attributes breakerState(String breaker, String state) {
        return Attributes.of(OutriggerAttributes.BREAKER, breaker, OutriggerAttributes.BREAKER_STATE, state);
    }

    /**
     * Reports {@code outrigger.node_cache.age} (seconds since each service's instance list was last
     * refreshed from the registry) each time metrics are collected. Close the registration when the
     * cache goes away.
     *
     * @param agesByService called on collection, on the metrics reader's thread; returns the age of
     *     each service's cached list
     */
    public Registration observeNodeCacheAge(Supplier<Map<String, Duration>> agesByService) {
        Objects.requireNonNull(agesByService, "agesByService");
        ObservableDoubleGauge gauge = meter.gaugeBuilder("outrigger.node_cache.age")
                .setUnit("s")
                .setDescription("Time since each service's instance list was last refreshed from the registry.")
                .buildWithCallback(m -> {
                    Map<String, Duration> ages = safely(agesByService, "node cache age");
                    if (ages != null) {
                        ages.forEach((service, age) ->
                                m.record(age.toNanos() / 1e9, Attributes.of(OutriggerAttributes.SERVICE, service)));
                    }
                });
        return gauge::close;
    }

    /**
     * Reports {@code outrigger.client.instances.held} each time metrics are collected: for each
     * service, how many instances the registry lost that the client still calls because its
     * connections to them work. Anything above 0 means the registry and the network disagree (a
     * partition between providers and the registry, most likely). {@code RpcClient::heldInstances}
     * fits. Close the registration when the client goes away.
     *
     * @param heldByService called on collection, on the metrics reader's thread; the held instance ids
     *     of each service (services without any may be left out)
     */
    public Registration observeHeldInstances(Supplier<Map<String, List<String>>> heldByService) {
        Objects.requireNonNull(heldByService, "heldByService");
        ObservableLongGauge gauge = meter.gaugeBuilder("outrigger.client.instances.held")
                .ofLongs()
                .setUnit("{instance}")
                .setDescription("Instances the registry lost that the client still calls over working connections.")
                .buildWithCallback(m -> {
                    Map<String, List<String>> held = safely(heldByService, "held instances");
                    if (held != null) {
                        held.forEach((service, ids) ->
                                m.record(ids.size(), Attributes.of(OutriggerAttributes.SERVICE, service)));
                    }
                });
        return gauge::close;
    }

    /**
     * Reports {@code outrigger.registry.connected}: 1 while {@code connected} says so, else 0, each
     * time metrics are collected.
     *
     * @param registry the registry's name, e.g. {@code zookeeper}
     * @param connected called on collection, on the metrics reader's thread
     */
    public Registration observeRegistryConnection(String registry, BooleanSupplier connected) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(connected, "connected");
        Attributes attributes = Attributes.of(OutriggerAttributes.REGISTRY, registry);
        ObservableLongGauge gauge = meter.gaugeBuilder("outrigger.registry.connected")
                .ofLongs()
                .setUnit("1")
                .setDescription("1 while the registry session is connected, else 0.")
                .buildWithCallback(m -> {
                    Boolean up = safely(connected::getAsBoolean, "registry connection");
                    if (up != null) {
                        m.record(up ? 1 : 0, attributes);
                    }
                });
        return gauge::close;
    }

    private static <T> T safely(Supplier<T> supplier, String what) {
        try {
            return supplier.get();
        } catch (RuntimeException e) {
            log.warn("{} callback failed; not recorded this time", what, e);
            return null;
        }
    }

    /** A callback registration; closing it stops the reporting. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        /** Stops reporting. Idempotent. */
        @Override
        void close();
    }

    /**
     * Builds {@link OutriggerTelemetry}. Not thread-safe. Defaults: the OpenTelemetry instance's
     * propagators, MDC on, access log on with every call logged.
     */
    public static final class Builder {
        private final OpenTelemetry openTelemetry;
        private TextMapPropagator propagator;
        private boolean mdc = true;
        private boolean accessLog = true;
        private double accessLogSampleRatio = 1.0;

        private Builder(OpenTelemetry openTelemetry) {
            this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry");
        }

        /**
         * The propagator writing and reading trace context in request metadata. Default: the
         * OpenTelemetry instance's ({@code W3CTraceContextPropagator} with the SDK's defaults).
         */
        public Builder propagator(TextMapPropagator propagator) {
            this.propagator = Objects.requireNonNull(propagator, "propagator");
            return this;
        }

        /** Whether server spans put {@code trace_id} and {@code span_id} in the SLF4J MDC. Default on. */
        public Builder mdc(boolean enabled) {
            this.mdc = enabled;
            return this;
        }

        /**
         * Whether {@link OutriggerTelemetry#instrument(RpcServer.Builder)} fills the access-log slot
         * (and {@link OutriggerTelemetry#serverInterceptors()} includes the access log). Default on.
         */
        public Builder accessLog(boolean enabled) {
            this.accessLog = enabled;
            return this;
        }

        /**
         * The share of successful calls the access log writes, 0.0..1.0; failed calls are always
         * written. Default 1.0 (every call).
         */
        public Builder accessLogSampleRatio(double ratio) {
            if (!(ratio >= 0.0 && ratio <= 1.0)) {
                throw new IllegalArgumentException("accessLogSampleRatio: " + ratio + " (expected: 0.0..1.0)");
            }
            this.accessLogSampleRatio = ratio;
            return this;
        }

        /** The telemetry; its instruments are created now. */
        public OutriggerTelemetry build() {
            return new OutriggerTelemetry(this);
        }
    }
}
