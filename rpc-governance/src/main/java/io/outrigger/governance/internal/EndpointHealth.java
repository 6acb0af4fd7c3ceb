package io.outrigger.governance.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.Router;
import io.outrigger.governance.BreakerListener;
import io.outrigger.governance.CircuitBreakerPolicy;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outlier ejection: one Resilience4j circuit breaker per endpoint of each service.
 *
 * <ul>
 *   <li>{@link #interceptor()} runs at endpoint level (it sees {@link CallAttributes#ENDPOINT}) and
 *       records each call's outcome in that endpoint's breaker.
 *   <li>{@link #router()} drops endpoints whose breaker is open, except one whose open period is
 *       over (it is due a probe) and half-open ones with probe calls left. If that would drop every
 *       endpoint, it drops none (panic routing, as Envoy): breakers never leave a service with
 *       nothing to call.
 * </ul>
 *
 * <p>The open-to-half-open step is taken by the next call after the open period (no timer thread),
 * so the whole cycle follows the injected clock. Breakers are rebuilt, closed, when the policy
 * (configured, or from the rules' {@code endpointBreaker}) changes. The breaker of an endpoint no
 * call has gone to for {@link #IDLE_BREAKER_MILLIS} is dropped (at most once a minute per service,
 * by a call), so endpoints that come and go do not pile up breakers; an open breaker of an endpoint
 * still listed is due a probe long before that, so it is never dropped while in use. Thread-safe.
 */
public final class EndpointHealth {

    private static final Logger log = LoggerFactory.getLogger(EndpointHealth.class);

    /** How long a breaker may go unused before it is dropped: {@value} ms. */
    static final long IDLE_BREAKER_MILLIS = TimeUnit.MINUTES.toMillis(10);

    private static final long SWEEP_EVERY_MILLIS = TimeUnit.MINUTES.toMillis(1);

    private final CircuitBreakerPolicy base;
    private final RuleStore store;
    private final Ticker ticker;
    private final BreakerListener listener;
    private final ConcurrentHashMap<String, ServiceHealth> services = new ConcurrentHashMap<>();
    private final Interceptor interceptor = this::intercept;
    private final Router router = new Router() {
        @Override
        public List<Endpoint> route(List<Endpoint> endpoints, RpcRequest request) {
            return EndpointHealth.this.route(endpoints, request);
        }

        @Override
        public String toString() {
            return "outlier router (skips endpoints whose circuit breaker is open)";
        }
    };

    /**
     * Breakers built from {@code base} unless the rules in {@code store} say otherwise, telling
     * {@code listener} of their transitions.
     */
    public EndpointHealth(CircuitBreakerPolicy base, RuleStore store, Ticker ticker, BreakerListener listener) {
        this.base = base;
        this.store = store;
        this.ticker = ticker;
        this.listener = listener;
    }

    /** Adds the name and state of every endpoint breaker to {@code into}. */
    public void collectStates(Map<String, String> into) {
        for (ServiceHealth sh : services.values()) {
            for (Entry e : sh.entries.values()) {
                into.put(e.breaker.getName(), e.breaker.getState().name());
            }
        }
    }

    /** The endpoint-level interceptor recording outcomes. */
    public Interceptor interceptor() {
        return interceptor;
    }

    /** The router skipping ejected endpoints. */
    public Router router() {
        return router;
    }

    /** Whether {@code endpoint} of {@code service} is ejected now (open and not yet due a probe). */
    public boolean isEjected(String service, Endpoint endpoint) {
        ServiceHealth sh = services.get(service);
        if (sh == null) {
            return false;
        }
        Entry e = sh.entries.get(endpoint.instance().id());
        return e != null && e.policy.equals(sh.policy()) && e.isEjected(ticker);
    }

    /** The state of the breaker of {@code endpoint}, or {@code null} if it has none yet (for tests and metrics). */
    public CircuitBreaker.State state(String service, Endpoint endpoint) {
        ServiceHealth sh = services.get(service);
        Entry e = sh == null ? null : sh.entries.get(endpoint.instance().id());
        return e == null ? null : e.breaker.getState();
    }

    private List<Endpoint> route(List<Endpoint> endpoints, RpcRequest request) {
        ServiceHealth sh = services.get(request.service());
        if (sh == null || sh.entries.isEmpty()) {
            return endpoints;
        }
        CircuitBreakerPolicy policy = sh.policy();
        if (!policy.enabled()) {
            return endpoints;
        }
        List<Endpoint> healthy = Routes.filter(endpoints, ep -> {
            Entry e = sh.entries.get(ep.instance().id());
            return e == null || !e.policy.equals(policy) || !e.isEjected(ticker);
        });
        return healthy.isEmpty() ? endpoints : healthy;
    }

    private CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        Endpoint endpoint = request.attributes().get(CallAttributes.ENDPOINT);
        if (endpoint == null) {
            return next.invoke(request);
        }
        ServiceHealth sh = services.get(request.service());
        if (sh == null) {
            sh = services.computeIfAbsent(request.service(), s -> new ServiceHealth(store.holder(s)));
        }
        CircuitBreakerPolicy policy = sh.policy();
        if (!policy.enabled()) {
            return next.invoke(request);
        }
        Entry entry = sh.entry(endpoint, request.service(), policy);
        long now = ticker.clock().millis();
        entry.lastUsedMillis = now;
        sh.sweepIfDue(now);
        CircuitBreaker cb = entry.breaker;
        // Moves an open breaker whose period is over to half-open. Refusal is ignored: the router
        // already chose this endpoint (possibly in panic mode) and the call goes out regardless.
        boolean permitted = cb.tryAcquirePermission();
        if (permitted && cb.getState() == CircuitBreaker.State.HALF_OPEN) {
            entry.probesLeft.decrementAndGet();
        }
        long start = ticker.nanoTime();
        boolean stream = CallAttributes.isStream(request);
        return Calls.invoke(next, request).thenApply(response -> {
            // A stream counts by its outcome only: its length is the consumer's business, not slowness.
            long took = stream ? 0 : ticker.nanoTime() - start;
            Status status = response.status();
            if (policy.failureCodes().contains(status.code())) {
                cb.onError(took, TimeUnit.NANOSECONDS, status.asException());
                entry.failed();
            } else {
                cb.onSuccess(took, TimeUnit.NANOSECONDS);
                entry.run.succeeded();
            }
            return response;
        });
    }

    /** The breakers of one service's endpoints. */
    private final class ServiceHealth {
        final RuleStore.Holder holder;
        final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
        private volatile Merged merged;
        private final AtomicLong nextSweepMillis = new AtomicLong();

        ServiceHealth(RuleStore.Holder holder) {
            this.holder = holder;
        }

        /** Drops the breakers unused for {@link #IDLE_BREAKER_MILLIS}, at most once a minute. */
        void sweepIfDue(long now) {
            long next = nextSweepMillis.get();
            if (now < next || !nextSweepMillis.compareAndSet(next, now + SWEEP_EVERY_MILLIS)) {
                return;
            }
            if (next == 0) {
                return; // the first call only schedules the first sweep
            }
            entries.values().removeIf(e -> now - e.lastUsedMillis > IDLE_BREAKER_MILLIS);
        }

        CircuitBreakerPolicy policy() {
            ServiceRules rules = holder.rules();
            Merged m = merged;
            if (m == null || m.rules != rules) {
                m = new Merged(rules, Policies.merge(base, rules.document().endpointBreaker()));
                merged = m;
            }
            return m.policy;
        }

        Entry entry(Endpoint endpoint, String service, CircuitBreakerPolicy policy) {
            String id = endpoint.instance().id();
            Entry e = entries.get(id);
            if (e == null || !e.policy.equals(policy)) {
                e = entries.compute(
                        id,
                        (k, old) -> old != null && old.policy.equals(policy)
                                ? old
                                : new Entry(service + "@" + id, policy, ticker, listener));
            }
            return e;
        }

        private record Merged(ServiceRules rules, CircuitBreakerPolicy policy) {}
    }

    /** One endpoint's breaker, plus what the router needs to know about it. */
    static final class Entry {
        final CircuitBreakerPolicy policy;
        final CircuitBreaker breaker;
        final AtomicInteger probesLeft = new AtomicInteger();
        final FailureRun run;
        /** Set while a run of failures opens the breaker, for its log line. */
        private volatile boolean openingByRun;

        final long openMillis;
        private volatile long openedAtMillis;
        volatile long lastUsedMillis;

        Entry(String name, CircuitBreakerPolicy policy, Ticker ticker, BreakerListener listener) {
            this.policy = policy;
            this.openMillis = policy.openDuration().toMillis();
            this.run = new FailureRun(policy.consecutiveFailures());
            this.lastUsedMillis = ticker.clock().millis();
            this.breaker = CircuitBreaker.of(name, Policies.toConfig(policy, ticker));
            BreakerEvents.forward(breaker, listener);
            breaker.getEventPublisher().onStateTransition(event -> {
                switch (event.getStateTransition().getToState()) {
                    case OPEN -> {
                        openedAtMillis = ticker.clock().millis();
                        if (openingByRun) {
                            log.warn(
                                    "Endpoint {} ejected: circuit breaker {} ({} failures in a row, consecutiveFailures)",
                                    name,
                                    event.getStateTransition(),
                                    run.limit());
                        } else {
                            log.warn(
                                    "Endpoint {} ejected: circuit breaker {} (failure rate {}%)",
                                    name,
                                    event.getStateTransition(),
                                    breaker.getMetrics().getFailureRate());
                        }
                    }
                    case HALF_OPEN -> probesLeft.set(policy.halfOpenCalls());
                    case CLOSED ->
                        log.info("Endpoint {} back in rotation: circuit breaker {}", name, event.getStateTransition());
                    default -> {}
                }
            });
        }

        /** Records a failure in the run (already recorded in the breaker); a long enough run ejects. */
        void failed() {
            openingByRun = true;
            try {
                run.failed(breaker);
            } finally {
                openingByRun = false;
            }
        }

        boolean isEjected(Ticker ticker) {
            return switch (breaker.getState()) {
                // Resilience4j lets calls through only once its wait is strictly over.
                case OPEN -> ticker.clock().millis() - openedAtMillis <= openMillis;
                case HALF_OPEN -> probesLeft.get() <= 0;
                case FORCED_OPEN -> true;
                default -> false;
            };
        }
    }
}
