package io.outrigger.governance.internal;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.auth.AccessControl;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Rate limits and concurrency limits (bulkheads) per service and per method, with Resilience4j. A
 * call over a limit is answered at once with {@code RESOURCE_EXHAUSTED} naming the limit; nothing
 * waits in a queue.
 *
 * <p>Limits are keyed by method name, and {@code "*"} for the service as a whole (all its methods
 * together); a call must pass both. They come from code and from the service's rules ({@code
 * serverLimits} or {@code clientLimits}, which replace the configured limit of the same key). A
 * limiter whose limit did not change keeps its state across rule updates. Used on the server (the
 * caller's address is named in rejections) and on the client. Thread-safe.
 */
public final class LimitInterceptor implements Interceptor {

    /** Which side applies the limits, and so which rules section they come from. */
    public enum Side {
        /** Providers: {@code serverLimits}. */
        SERVER("server", RuleDocument::serverLimits),
        /** Callers: {@code clientLimits}. */
        CLIENT("client", RuleDocument::clientLimits);

        final String label;
        final Function<RuleDocument, Map<String, RuleDocument.Limit>> section;

        Side(String label, Function<RuleDocument, Map<String, RuleDocument.Limit>> section) {
            this.label = label;
            this.section = section;
        }
    }

    private final Side side;
    private final Map<String, Map<String, RuleDocument.Limit>> configured;
    private final RuleStore store;
    private final Ticker ticker;
    private final ConcurrentHashMap<String, ServiceLimiters> services = new ConcurrentHashMap<>();

    /**
     * @param configured limits from code: service to (method or {@code "*"}) to limit
     */
    public LimitInterceptor(
            Side side, Map<String, Map<String, RuleDocument.Limit>> configured, RuleStore store, Ticker ticker) {
        this.side = side;
        Map<String, Map<String, RuleDocument.Limit>> copy = new HashMap<>();
        configured.forEach((s, m) -> copy.put(s, Map.copyOf(m)));
        this.configured = Map.copyOf(copy);
        this.store = store;
        this.ticker = ticker;
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        ServiceLimiters sl = services.get(request.service());
        if (sl == null) {
            sl = services.computeIfAbsent(request.service(), s -> new ServiceLimiters(s, store.holder(s)));
        }
        Limiters current = sl.current();
        Limiter all = current.all;
        Limiter one = current.byMethod.isEmpty() ? null : current.byMethod.get(request.method());
        if (all == null && one == null) {
            return next.invoke(request);
        }
        if (all != null && !all.tryRate()) {
            return reject(request, all, "rate");
        }
        if (one != null && !one.tryRate()) {
            return reject(request, one, "rate");
        }
        if (all != null && !all.tryEnter()) {
            return reject(request, all, "concurrency");
        }
        if (one != null && !one.tryEnter()) {
            if (all != null) {
                all.exit();
            }
            return reject(request, one, "concurrency");
        }
        return Calls.invoke(next, request).whenComplete((r, e) -> {
            if (one != null) {
                one.exit();
            }
            if (all != null) {
                all.exit();
            }
        });
    }

    private CompletionStage<RpcResponse> reject(RpcRequest request, Limiter limiter, String kind) {
        String target = limiter.method.equals("*")
                ? request.service() + " (all methods)"
                : request.service() + "/" + limiter.method;
        String what = kind.equals("rate")
                ? "rate limit of " + target + " exceeded: " + limiter.limit.permitsPerSecond() + " calls/s"
                : "concurrency limit of " + target + " reached: " + limiter.limit.maxConcurrent() + " calls in flight";
        String address = request.attributes().get(CallAttributes.REMOTE_ADDRESS);
        String identity = request.attributes().get(AccessControl.CALLER);
        String caller = identity == null ? address : "'" + identity + "'" + (address == null ? "" : " at " + address);
        String detail = " (" + side.label + " limit" + (caller == null ? "" : "; caller " + caller) + ")";
        return Calls.completed(RpcResponse.failure(Status.RESOURCE_EXHAUSTED.withDescription(what + detail)));
    }

    @Override
    public String toString() {
        return side.label + " limits";
    }

    /** The limiters of one service, rebuilt when its rules change. */
    private final class ServiceLimiters {
        final String service;
        final RuleStore.Holder holder;
        private volatile Limiters limiters;

        ServiceLimiters(String service, RuleStore.Holder holder) {
            this.service = service;
            this.holder = holder;
        }

        Limiters current() {
            ServiceRules rules = holder.rules();
            Limiters l = limiters;
            if (l == null || l.rules != rules) {
                synchronized (this) {
                    l = limiters;
                    if (l == null || l.rules != rules) {
                        l = build(rules, l);
                        limiters = l;
                    }
                }
            }
            return l;
        }

        private Limiters build(ServiceRules rules, Limiters previous) {
            Map<String, RuleDocument.Limit> limits = new LinkedHashMap<>(configured.getOrDefault(service, Map.of()));
            limits.putAll(side.section.apply(rules.document()));
            Limiter all = null;
            Map<String, Limiter> byMethod = new HashMap<>();
            for (Map.Entry<String, RuleDocument.Limit> e : limits.entrySet()) {
                Limiter old = previous == null ? null : previous.find(e.getKey());
                Limiter l = old != null && old.limit.equals(e.getValue())
                        ? old
                        : new Limiter(service, e.getKey(), e.getValue(), ticker);
                if (e.getKey().equals("*")) {
                    all = l;
                } else {
                    byMethod.put(e.getKey(), l);
                }
            }
            return new Limiters(rules, all, Map.copyOf(byMethod));
        }
    }

    private record Limiters(ServiceRules rules, Limiter all, Map<String, Limiter> byMethod) {
        Limiter find(String key) {
            return key.equals("*") ? all : byMethod.get(key);
        }
    }

    /** A rate limiter and/or a bulkhead for one key. */
    private static final class Limiter {
        final String method;
        final RuleDocument.Limit limit;
        final RateLimiter rate;
        final Bulkhead bulkhead;

        Limiter(String service, String method, RuleDocument.Limit limit, Ticker ticker) {
            this.method = method;
            this.limit = limit;
            String name = service + "/" + method;
            this.rate = limit.permitsPerSecond() == null
                    ? null
                    : RateLimiter.of(
                            name,
                            RateLimiterConfig.custom()
                                    .limitForPeriod(limit.permitsPerSecond())
                                    .limitRefreshPeriod(Duration.ofSeconds(1))
                                    .timeoutDuration(Duration.ZERO)
                                    .build(),
                            ticker::nanoTime);
            this.bulkhead = limit.maxConcurrent() == null
                    ? null
                    : Bulkhead.of(
                            name,
                            BulkheadConfig.custom()
                                    .maxConcurrentCalls(limit.maxConcurrent())
                                    .maxWaitDuration(Duration.ZERO)
                                    .build());
        }

        boolean tryRate() {
            return rate == null || rate.acquirePermission();
        }

        boolean tryEnter() {
            return bulkhead == null || bulkhead.tryAcquirePermission();
        }

        void exit() {
            if (bulkhead != null) {
                bulkhead.onComplete();
            }
        }
    }
}
