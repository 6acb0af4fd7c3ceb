package io.outrigger.governance;

import io.outrigger.core.Interceptor;
import io.outrigger.core.auth.AccessControl;
import io.outrigger.core.server.RpcServer;
import io.outrigger.governance.internal.LimitInterceptor;
import io.outrigger.governance.internal.RuleDocument;
import io.outrigger.governance.internal.Ticker;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The governance of a server: rate limits and concurrency limits (bulkheads) per service and
 * method, answered at once with {@code RESOURCE_EXHAUSTED} naming the limit and the caller; and,
 * optionally, the access control checked before them.
 *
 * <pre>{@code
 * ServerGovernance gov = ServerGovernance.builder()
 *         .rules(liveRules)                                   // serverLimits of each service
 *         .rateLimit("demo.UserService", "getUser", 500)      // calls per second
 *         .concurrencyLimit("demo.UserService", "*", 64)      // in flight, all methods together
 *         .accessControl(acl)                                 // the auth slot, before the limits
 *         .build();
 * gov.applyTo(server);                                        // fills the auth and limits slots
 * }</pre>
 *
 * <p>The server chain puts them where they belong whatever order the builder's methods are called
 * in ({@code RpcServer.Builder}): after tracing, metrics and the access log (rejections are traced,
 * counted and logged), auth before the limits (refused callers spend no permit), and the limits
 * before the user interceptors (a rejected call costs none of their work, nor the service's). They
 * run where the server chain runs: on the business executor for blocking methods, on the event loop
 * for asynchronous ones. Immutable and thread-safe.
 */
public final class ServerGovernance {

    private final AccessControl accessControl;
    private final Interceptor limits;

    private ServerGovernance(AccessControl accessControl, Interceptor limits) {
        this.accessControl = accessControl;
        this.limits = limits;
    }

    /** A builder with no limits. */
    public static Builder builder() {
        return new Builder();
    }

    /** The rate limits and bulkheads, one interceptor, for {@code RpcServer.Builder.limits(...)}. */
    public Interceptor limits() {
        return limits;
    }

    /** The access control given to the builder, for {@code RpcServer.Builder.auth(...)}; null if none. */
    public AccessControl accessControl() {
        return accessControl;
    }

    /**
     * Every interceptor, outermost first: the access control (when given), then the limits. For
     * chains composed by hand ({@code Invoker.decorate(service, gov.interceptors())}); on an {@code
     * RpcServer} use {@link #applyTo}, which puts each in its slot.
     */
    public List<Interceptor> interceptors() {
        return accessControl == null ? List.of(limits) : List.of(accessControl, limits);
    }

    /**
     * Fills the slots of {@code server}: {@code limits} with the limits, and {@code auth} with the
     * access control when one was given (otherwise the auth slot is left as it is). Returns {@code
     * server}.
     */
    public RpcServer.Builder applyTo(RpcServer.Builder server) {
        if (accessControl != null) {
            server.auth(accessControl);
        }
        return server.limits(limits);
    }

    @Override
    public String toString() {
        return "ServerGovernance" + interceptors();
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
         * Authenticates and authorizes calls ({@link AccessControl}): {@link #applyTo} puts it in the
         * server's auth slot, before the limits, so refused callers spend no permits and rejections by
         * the limits name an authenticated caller. Default: none.
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
            return new ServerGovernance(
                    accessControl, new LimitInterceptor(LimitInterceptor.Side.SERVER, limits, rules.store(), ticker));
        }
    }
}
