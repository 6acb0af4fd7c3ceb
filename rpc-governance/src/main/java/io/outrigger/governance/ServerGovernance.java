package io.outrigger.governance;

import io.outrigger.core.Interceptor;
import io.outrigger.core.auth.AccessControl;
import io.outrigger.core.server.RpcServer;
import io.outrigger.governance.internal.LimitInterceptor;
import io.outrigger.governance.internal.RuleDocument;
import io.outrigger.governance.internal.Ticker;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The governance of a server: access control (optional), then rate limits and concurrency limits
 * (bulkheads) per service and method, answered at once with {@code RESOURCE_EXHAUSTED} naming the
 * limit and the caller.
 *
 * <pre>{@code
 * ServerGovernance gov = ServerGovernance.builder()
 *         .rules(liveRules)                                   // serverLimits of each service
 *         .rateLimit("demo.UserService", "getUser", 500)      // calls per second
 *         .concurrencyLimit("demo.UserService", "*", 64)      // in flight, all methods together
 *         .accessControl(acl)                                 // checked before the limits
 *         .build();
 * gov.interceptors().forEach(server::interceptor);
 * }</pre>
 *
 * <p>Put these interceptors after tracing, metrics and authentication (rejections are then traced,
 * counted, and never spent on anonymous callers) and before dispatch to the business executor, so
 * a rejected call costs no executor thread. Immutable and thread-safe.
 */
public final class ServerGovernance {

    private final List<Interceptor> interceptors;

    private ServerGovernance(List<Interceptor> interceptors) {
        this.interceptors = List.copyOf(interceptors);
    }

    /** A builder with no limits. */
    public static Builder builder() {
        return new Builder();
    }

    /** For the server's {@code interceptor} slot, in order. */
    public List<Interceptor> interceptors() {
        return interceptors;
    }

    /** Adds the server interceptors (limits) to {@code server}, in order. Returns {@code server}. */
    public RpcServer.Builder applyTo(RpcServer.Builder server) {
        interceptors().forEach(server::interceptor);
        return server;
    }

    @Override
    public String toString() {
        return "ServerGovernance" + interceptors;
    }

    static void putLimit(
            Map<String, Map<String, RuleDocument.Limit>> limits,
            String service,
            String method,
            Integer permitsPerSecond,
            Integer maxConcurrent) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(method, "method");
        if (service.isEmpty()) {
            throw new IllegalArgumentException("service: empty (expected: a service name)");
        }
        if (method.isEmpty() || method.indexOf('/') >= 0) {
            throw new IllegalArgumentException("method: \"" + method + "\" (expected: a method name or \"*\")");
        }
        Map<String, RuleDocument.Limit> byMethod = limits.computeIfAbsent(service, s -> new HashMap<>());
        RuleDocument.Limit old = byMethod.get(method);
        Integer rate = permitsPerSecond != null ? permitsPerSecond : old == null ? null : old.permitsPerSecond();
        Integer max = maxConcurrent != null ? maxConcurrent : old == null ? null : old.maxConcurrent();
        byMethod.put(method, new RuleDocument.Limit(rate, max));
    }

    /** Builds a {@link ServerGovernance}; each method validates its argument at once. Not thread-safe. */
    public static final class Builder {
        private LiveRules rules = LiveRules.none();
        private final Map<String, Map<String, RuleDocument.Limit>> limits = new HashMap<>();
        private Clock clock;
        private AccessControl accessControl;

        private Builder() {}

        /**
         * Authenticates and authorizes calls ({@link AccessControl}) before the limits, so refused
         * callers spend no permits and rejections by the limits name an authenticated caller. Default:
         * none.
         */
        public Builder accessControl(AccessControl accessControl) {
            this.accessControl = Objects.requireNonNull(accessControl, "accessControl");
            return this;
        }

        /** Where per-service rules ({@code serverLimits}) come from. Default: {@link LiveRules#none()}. */
        public Builder rules(LiveRules rules) {
            this.rules = Objects.requireNonNull(rules, "rules");
            return this;
        }

        /**
         * Admits at most {@code permitsPerSecond} calls per second of {@code service}'s {@code method}
         * ({@code "*"}: all its methods together). Rules ({@code serverLimits}) override it.
         */
        public Builder rateLimit(String service, String method, int permitsPerSecond) {
            if (permitsPerSecond < 1 || permitsPerSecond > 1_000_000) {
                throw new IllegalArgumentException("permitsPerSecond: " + permitsPerSecond + " (expected: 1..1000000)");
            }
            putLimit(limits, service, method, permitsPerSecond, null);
            return this;
        }

        /**
         * Runs at most {@code maxConcurrent} calls of {@code service}'s {@code method} ({@code "*"}: all
         * its methods together) at once. Rules ({@code serverLimits}) override it.
         */
        public Builder concurrencyLimit(String service, String method, int maxConcurrent) {
            if (maxConcurrent < 1 || maxConcurrent > 100_000) {
                throw new IllegalArgumentException("maxConcurrent: " + maxConcurrent + " (expected: 1..100000)");
            }
            putLimit(limits, service, method, null, maxConcurrent);
            return this;
        }

        /** The clock of rate limiters. Default: the system's. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The governance. */
        public ServerGovernance build() {
            Ticker ticker = clock == null ? Ticker.system() : Ticker.of(clock);
            List<Interceptor> chain = new ArrayList<>();
            if (accessControl != null) {
                chain.add(accessControl); // first: who is calling decides whether a permit is spent at all
            }
            chain.add(new LimitInterceptor(LimitInterceptor.Side.SERVER, limits, rules.store(), ticker));
            return new ServerGovernance(chain);
        }
    }
}
