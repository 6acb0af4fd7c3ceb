package io.outrigger.governance.internal;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.governance.BreakerListener;
import io.outrigger.governance.CircuitBreakerPolicy;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Resilience4j circuit breaker per service/method, over whole calls (retries included: it sits
 * above the retry layer). While open, calls fail at once with {@code UNAVAILABLE} and a message
 * saying which breaker is open, why, and for how long, so the fallback above answers instead and
 * a failing dependency gets room to recover.
 *
 * <p>Breakers are rebuilt, closed, when the policy (configured, or the rules' {@code
 * circuitBreaker}) changes. Time comes from the injected clock. Thread-safe.
 */
public final class MethodBreakerInterceptor implements Interceptor {

    private static final Logger log = LoggerFactory.getLogger(MethodBreakerInterceptor.class);

    private final CircuitBreakerPolicy base;
    private final RuleStore store;
    private final Ticker ticker;
    private final BreakerListener listener;
    private final ConcurrentHashMap<String, ServiceBreakers> services = new ConcurrentHashMap<>();

    /**
     * Breakers built from {@code base} unless the rules in {@code store} say otherwise, telling
     * {@code listener} of their transitions.
     */
    public MethodBreakerInterceptor(
            CircuitBreakerPolicy base, RuleStore store, Ticker ticker, BreakerListener listener) {
        this.base = base;
        this.store = store;
        this.ticker = ticker;
        this.listener = listener;
    }

    /** Adds the name and state of every method breaker to {@code into}. */
    public void collectStates(Map<String, String> into) {
        for (ServiceBreakers sb : services.values()) {
            for (Breaker b : sb.breakers.values()) {
                into.put(b.name, b.breaker.getState().name());
            }
        }
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        ServiceBreakers sb = services.get(request.service());
        if (sb == null) {
            sb = services.computeIfAbsent(request.service(), s -> new ServiceBreakers(store.holder(s)));
        }
        CircuitBreakerPolicy policy = sb.policy();
        if (!policy.enabled()) {
            return next.invoke(request);
        }
        Breaker b = sb.breaker(request, policy);
        CircuitBreaker cb = b.breaker;
        if (!cb.tryAcquirePermission()) {
            return Calls.completed(
                    RpcResponse.failure(Status.UNAVAILABLE.withDescription(b.describeRejection(ticker))));
        }
        long start = ticker.nanoTime();
        boolean stream = CallAttributes.isStream(request);
        return Calls.invoke(next, request).thenApply(response -> {
            // A stream counts by its outcome only: its length is the consumer's business, not slowness.
            long took = stream ? 0 : ticker.nanoTime() - start;
            Status status = response.status();
            if (policy.failureCodes().contains(status.code())) {
                cb.onError(took, TimeUnit.NANOSECONDS, status.asException());
                b.run.failed(cb);
            } else {
                cb.onSuccess(took, TimeUnit.NANOSECONDS);
                b.run.succeeded();
            }
            return response;
        });
    }

    /** The state of the breaker of {@code service/method}, or {@code null} if none exists yet. */
    public CircuitBreaker.State state(String service, String method) {
        ServiceBreakers sb = services.get(service);
        Breaker b = sb == null ? null : sb.breakers.get(method);
        return b == null ? null : b.breaker.getState();
    }

    @Override
    public String toString() {
        return "circuit breaker per method (" + base + ")";
    }

    private final class ServiceBreakers {
        final RuleStore.Holder holder;
        final ConcurrentHashMap<String, Breaker> breakers = new ConcurrentHashMap<>();
        private volatile Merged merged;

        ServiceBreakers(RuleStore.Holder holder) {
            this.holder = holder;
        }

        CircuitBreakerPolicy policy() {
            ServiceRules rules = holder.rules();
            Merged m = merged;
            if (m == null || m.rules != rules) {
                m = new Merged(rules, Policies.merge(base, rules.document().circuitBreaker()));
                merged = m;
            }
            return m.policy;
        }

        Breaker breaker(RpcRequest request, CircuitBreakerPolicy policy) {
            Breaker b = breakers.get(request.method());
            if (b == null || !b.policy.equals(policy)) {
                String name = request.fullMethodName();
                b = breakers.compute(
                        request.method(),
                        (k, old) -> old != null && old.policy.equals(policy)
                                ? old
                                : new Breaker(name, policy, ticker, listener));
            }
            return b;
        }

        private record Merged(ServiceRules rules, CircuitBreakerPolicy policy) {}
    }

    private static final class Breaker {
        final String name;
        final CircuitBreakerPolicy policy;
        final CircuitBreaker breaker;
        final FailureRun run;
        private volatile long openedAtMillis;

        Breaker(String name, CircuitBreakerPolicy policy, Ticker ticker, BreakerListener listener) {
            this.name = name;
            this.policy = policy;
            this.run = new FailureRun(policy.consecutiveFailures());
            this.breaker = CircuitBreaker.of(name, Policies.toConfig(policy, ticker));
            BreakerEvents.forward(breaker, listener);
            breaker.getEventPublisher().onStateTransition(event -> {
                CircuitBreaker.State to = event.getStateTransition().getToState();
                if (to == CircuitBreaker.State.OPEN) {
                    openedAtMillis = ticker.clock().millis();
                    log.warn(
                            "Circuit breaker for {} opened ({}): failure rate {}%, slow-call rate {}%",
                            name,
                            event.getStateTransition(),
                            breaker.getMetrics().getFailureRate(),
                            breaker.getMetrics().getSlowCallRate());
                } else if (to == CircuitBreaker.State.CLOSED) {
                    log.info("Circuit breaker for {} closed ({})", name, event.getStateTransition());
                }
            });
        }

        String describeRejection(Ticker ticker) {
            CircuitBreaker.State state = breaker.getState();
            if (state == CircuitBreaker.State.HALF_OPEN) {
                return "circuit breaker for " + name + " is HALF_OPEN: its " + policy.halfOpenCalls()
                        + " probe calls are under way; other calls fail fast until they succeed";
            }
            CircuitBreaker.Metrics m = breaker.getMetrics();
            long left = Math.max(
                    0,
                    openedAtMillis
                            + policy.openDuration().toMillis()
                            - ticker.clock().millis());
            return "circuit breaker for " + name + " is " + state + " (failure rate " + m.getFailureRate()
                    + "% of the last " + m.getNumberOfBufferedCalls() + " calls, threshold "
                    + policy.failureRateThreshold() + "%); failing fast for another " + left + " ms, then probing with "
                    + policy.halfOpenCalls() + " calls";
        }
    }
}
