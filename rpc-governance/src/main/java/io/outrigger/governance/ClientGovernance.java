package io.outrigger.governance;

import io.outrigger.core.Interceptor;
import io.outrigger.core.Metadata;
import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.cluster.LoadBalancer;
import io.outrigger.core.cluster.Router;
import io.outrigger.core.service.ServiceName;
import io.outrigger.governance.internal.AttemptRecord;
import io.outrigger.governance.internal.BalancerFactory;
import io.outrigger.governance.internal.Chain;
import io.outrigger.governance.internal.EndpointHealth;
import io.outrigger.governance.internal.FailfastInterceptor;
import io.outrigger.governance.internal.FailsafeInterceptor;
import io.outrigger.governance.internal.FallbackInterceptor;
import io.outrigger.governance.internal.ForkingInterceptor;
import io.outrigger.governance.internal.GroupRouter;
import io.outrigger.governance.internal.LimitInterceptor;
import io.outrigger.governance.internal.MethodBreakerInterceptor;
import io.outrigger.governance.internal.RetryInterceptor;
import io.outrigger.governance.internal.RuleDocument;
import io.outrigger.governance.internal.RuleStore;
import io.outrigger.governance.internal.SplitRouter;
import io.outrigger.governance.internal.TagRouter;
import io.outrigger.governance.internal.Ticker;
import io.outrigger.governance.internal.TimeoutInterceptor;
import io.outrigger.governance.internal.VersionPattern;
import io.outrigger.governance.internal.VersionRouter;
import io.outrigger.governance.internal.ZoneRouter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The governance of a client: the pieces to plug into the client builder's slots.
 *
 * <pre>{@code
 * ClientGovernance gov = ClientGovernance.builder()
 *         .rules(LiveRules.from(ruleSource))
 *         .version("2.*")
 *         .fallback(UserService.class, new CachedUserService())
 *         .build();
 * client.fallback(gov.fallback())                 // above retry: answers only once every attempt failed
 *       .retry(gov.retry())                       // timeout, client limits, method breaker, failover
 *       .loadBalancer(gov.loadBalancerFactory());
 * gov.routers().forEach(client::router);
 * gov.endpointInterceptors().forEach(client::endpointInterceptor);
 * }</pre>
 *
 * <p>The call path, outermost first, and why each piece sits where it does:
 *
 * <ol>
 *   <li>user interceptors, tracing, metrics (the client's own): they see the call as the caller
 *       does, fallbacks and fast rejections included.
 *   <li>{@link #fallback()}: replaces a failure only once everything below gave up, and answers
 *       degraded methods without touching the network.
 *   <li>{@link #retry()}, itself in this order:
 *       <ol>
 *         <li>timeout: gives the call its deadline first, so every attempt below fits in it;
 *         <li>client rate/concurrency limits: a call refused locally costs nothing below and is not
 *             counted as a failure of the dependency;
 *         <li>method circuit breaker: judges whole calls (after failover), so one bad endpoint that
 *             failover routes around does not open it; while open it fails fast into the fallback;
 *         <li>the cluster strategy (failover by default): each attempt goes back through routing and
 *             load balancing, avoiding the endpoints already tried.
 *       </ol>
 *   <li>cluster invoker: {@link #routers()} in order (version, group, weighted splits, tag, zone,
 *       outliers), then the balancer of {@link #loadBalancerFactory()}.
 *   <li>{@link #endpointInterceptors()}: note which endpoint each attempt went to (for failover) and
 *       record its outcome in that endpoint's breaker (outlier ejection).
 * </ol>
 *
 * <p>Immutable and thread-safe; one instance may serve every service of a client. Per-service
 * values (weights, versions, splits, timeouts, retry, breaker thresholds, limits, degrade) come from
 * the {@link LiveRules} and override what is configured here.
 */
public final class ClientGovernance {

    /** The request metadata key holding a call's routing tag (tag routing, see {@link #routers()}): {@value}. */
    public static final String TAG_HEADER = "outrigger-tag";

    /**
     * The request metadata key selecting, per call, the provider versions a call may go to: {@value}.
     * Same syntax as {@link Builder#version}, comma-separated ({@code 2.*}, {@code 1.4.0,1.5.*}); it
     * takes precedence over the service's rules and over {@link Builder#version}. The sidecar maps its
     * {@code X-Outrigger-Version} header onto it.
     *
     * <pre>{@code
     * EchoService v2 = client.reference(EchoService.class).header(ClientGovernance.VERSION_HEADER, "2.*").build();
     * client.invoker("demo.EchoService").invoke(request.withHeader(ClientGovernance.VERSION_HEADER, "1.0.0"));
     * }</pre>
     */
    public static final String VERSION_HEADER = "outrigger-version";

    /**
     * The request metadata key selecting, per call, the provider group(s) a call may go to: {@value}
     * ({@code blue}, {@code blue,green}, or {@code *} for any); it takes precedence over the service's
     * rules and over {@link Builder#group}. The sidecar maps its {@code X-Outrigger-Group} header onto
     * it.
     */
    public static final String GROUP_HEADER = "outrigger-group";

    /**
     * The per-call routing keys this class reads: {@link #TAG_HEADER}, {@link #VERSION_HEADER}, {@link
     * #GROUP_HEADER}. None of them travels past the first hop by itself: name them on each hop's
     * client for a canary, tag or pin to hold end to end (add the {@code hashHeader} and a rule's
     * {@code splitKeyHeader} key when you use them):
     *
     * <pre>{@code
     * RpcClient.builder().propagateKeys(ClientGovernance.ROUTING_KEYS.toArray(String[]::new))...
     * }</pre>
     */
    public static final java.util.List<String> ROUTING_KEYS =
            java.util.List.of(TAG_HEADER, VERSION_HEADER, GROUP_HEADER);

    private final Interceptor fallback;
    private final Interceptor retry;
    private final List<Router> routers;
    private final LoadBalancer.Factory loadBalancerFactory;
    private final List<Interceptor> endpointInterceptors;
    private final MethodBreakerInterceptor methodBreakers;
    private final EndpointHealth endpointBreakers;

    private ClientGovernance(
            Interceptor fallback,
            Interceptor retry,
            List<Router> routers,
            LoadBalancer.Factory loadBalancerFactory,
            List<Interceptor> endpointInterceptors,
            MethodBreakerInterceptor methodBreakers,
            EndpointHealth endpointBreakers) {
        this.methodBreakers = methodBreakers;
        this.endpointBreakers = endpointBreakers;
        this.fallback = fallback;
        this.retry = retry;
        this.routers = List.copyOf(routers);
        this.loadBalancerFactory = loadBalancerFactory;
        this.endpointInterceptors = List.copyOf(endpointInterceptors);
    }

    /** A builder with the defaults documented on each of its methods. */
    public static Builder builder() {
        return new Builder();
    }

    /** For the client's {@code fallback} slot: fallbacks and forced degrade. */
    public Interceptor fallback() {
        return fallback;
    }

    /**
     * For the client's {@code retry} slot: timeout, client limits, method circuit breaker and the
     * cluster strategy, in that order.
     */
    public Interceptor retry() {
        return retry;
    }

    /** {@link #fallback()} then {@link #retry()}: for a client taking one list of call-level interceptors. */
    public List<Interceptor> interceptors() {
        return List.of(fallback, retry);
    }

    /** For the client's {@code router} slot, in this order: version, group, splits, tag, zone, outliers. */
    public List<Router> routers() {
        return routers;
    }

    /** For the client's {@code loadBalancer} slot. */
    public LoadBalancer.Factory loadBalancerFactory() {
        return loadBalancerFactory;
    }

    /** For the client's {@code endpointInterceptor} slot, in this order: attempt recorder, endpoint breaker. */
    public List<Interceptor> endpointInterceptors() {
        return endpointInterceptors;
    }

    /**
     * The state of every circuit breaker made so far, by name, sorted: per-method breakers named
     * {@code service/method} and per-endpoint breakers named {@code service@host:port}, with
     * Resilience4j's state names ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, ...). Breakers
     * are made by the first call they judge, so a service not called yet has none. For admin pages
     * and gauges:
     *
     * <pre>{@code
     * adminServer.section(new AdminSection("breakers", governance::breakerStates));
     * telemetry.observeBreakerStates(governance::breakerStates);
     * }</pre>
     */
    public Map<String, String> breakerStates() {
        Map<String, String> states = new TreeMap<>();
        methodBreakers.collectStates(states);
        endpointBreakers.collectStates(states);
        return states;
    }

    /**
     * Plugs every piece into its slot of {@code client}: fallback, retry, routers, load balancer and
     * endpoint interceptors. Returns {@code client}.
     *
     * <pre>{@code
     * RpcClient client = governance.applyTo(RpcClient.builder().registry(registry)).build();
     * }</pre>
     */
    public RpcClient.Builder applyTo(RpcClient.Builder client) {
        client.fallback(fallback).retry(retry).loadBalancer(loadBalancerFactory);
        routers.forEach(client::router);
        endpointInterceptors.forEach(client::endpointInterceptor);
        return client;
    }

    @Override
    public String toString() {
        return "ClientGovernance[fallback=" + fallback + ", retry=" + retry + ", routers=" + routers + ", loadBalancer="
                + loadBalancerFactory + "]";
    }

    /** Builds a {@link ClientGovernance}; each method validates its argument at once. Not thread-safe. */
    public static final class Builder {
        private LiveRules rules = LiveRules.none();
        private LoadBalancing loadBalancing = LoadBalancing.PEAK_EWMA;
        private String hashHeader;
        private Duration warmUp = Duration.ofSeconds(30);
        private List<VersionPattern> versions = List.of();
        private String group;
        private String zone;
        private double zoneMinHealthyShare = 0.5;
        private ClusterStrategy clusterStrategy = ClusterStrategy.failover();
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private Duration timeout;
        private CircuitBreakerPolicy methodBreaker = CircuitBreakerPolicy.defaults();
        private CircuitBreakerPolicy endpointBreaker = CircuitBreakerPolicy.endpointDefaults();
        private final Map<String, Map<String, RuleDocument.Limit>> limits = new HashMap<>();
        private final Map<String, Fallback> fallbacks = new LinkedHashMap<>();
        private Set<Status.Code> fallbackOn = EnumSet.of(
                Status.Code.UNAVAILABLE,
                Status.Code.DEADLINE_EXCEEDED,
                Status.Code.RESOURCE_EXHAUSTED,
                Status.Code.INTERNAL,
                Status.Code.UNKNOWN,
                Status.Code.DATA_LOSS);
        private Clock clock;
        private Supplier<RandomGenerator> random = ThreadLocalRandom::current;
        private BreakerListener breakerListener = BreakerListener.none();

        private Builder() {}

        /**
         * Told of every state change of the method and endpoint circuit breakers (for metrics or
         * alerts; transitions are also logged). Default: none.
         */
        public Builder breakerListener(BreakerListener listener) {
            this.breakerListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Where per-service rules come from. Default: {@link LiveRules#none()}. */
        public Builder rules(LiveRules rules) {
            this.rules = Objects.requireNonNull(rules, "rules");
            return this;
        }

        /** The load-balancing algorithm. Default: {@link LoadBalancing#PEAK_EWMA}. */
        public Builder loadBalancing(LoadBalancing loadBalancing) {
            this.loadBalancing = Objects.requireNonNull(loadBalancing, "loadBalancing");
            return this;
        }

        /** The request metadata key hashed by {@link LoadBalancing#CONSISTENT_HASH}, e.g. {@code user-id}. */
        public Builder hashHeader(String hashHeader) {
            Metadata.checkKey(hashHeader);
            this.hashHeader = hashHeader;
            return this;
        }

        /**
         * How long a newly seen endpoint takes to reach its full weight (linearly, from 1%), counted
         * from when this caller first saw it. {@code Duration.ZERO}: no warm-up. Default 30 s.
         */
        public Builder warmUp(Duration warmUp) {
            Objects.requireNonNull(warmUp, "warmUp");
            if (warmUp.isNegative()) {
                throw new IllegalArgumentException("warmUp: " + warmUp + " (expected: >= 0)");
            }
            this.warmUp = warmUp;
            return this;
        }

        /**
         * Only call providers whose version matches one of {@code patterns}: exact ({@code 1.4.0}),
         * prefix wildcard ({@code 2.*}) or {@code *}. Rules ({@code routing.versions}) override it, and
         * a call's {@link #VERSION_HEADER} metadata overrides both. Default: any version.
         */
        public Builder version(String... patterns) {
            List<String> list = List.of(patterns);
            if (list.isEmpty()) {
                throw new IllegalArgumentException("version: no pattern (expected: at least one, e.g. 2.*)");
            }
            this.versions = VersionPattern.parseAll(list);
            return this;
        }

        /**
         * Only call providers in {@code group} ({@code *}: any). Rules override it, and a call's {@link
         * #GROUP_HEADER} metadata overrides both. Default: any group.
         */
        public Builder group(String group) {
            this.group = Objects.requireNonNull(group, "group");
            return this;
        }

        /**
         * Prefer providers in {@code zone} (this caller's zone) while at least {@code minHealthyShare}
         * (0..1) of them are healthy; below that, spill over to every zone. Default: no zone affinity.
         */
        public Builder zone(String zone, double minHealthyShare) {
            Objects.requireNonNull(zone, "zone");
            if (zone.isEmpty()) {
                throw new IllegalArgumentException("zone: empty (expected: a zone name)");
            }
            if (!(minHealthyShare >= 0 && minHealthyShare <= 1)) {
                throw new IllegalArgumentException("minHealthyShare: " + minHealthyShare + " (expected: 0..1)");
            }
            this.zone = zone;
            this.zoneMinHealthyShare = minHealthyShare;
            return this;
        }

        /** What to do with failed calls. Default: {@link ClusterStrategy#failover()}. */
        public Builder clusterStrategy(ClusterStrategy clusterStrategy) {
            this.clusterStrategy = Objects.requireNonNull(clusterStrategy, "clusterStrategy");
            return this;
        }

        /** The retry policy of failover. Default: {@link RetryPolicy#defaults()}. Rules override it. */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        /**
         * The timeout of every call, retries included (the caller's own deadline still applies when
         * earlier). Rules ({@code "timeouts"}) override it per method. Default: none.
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * The circuit breaker of each service/method. Default: {@link CircuitBreakerPolicy#defaults()};
         * {@link CircuitBreakerPolicy#disabled()} for none. Rules ({@code "circuitBreaker"}) override it.
         */
        public Builder methodBreaker(CircuitBreakerPolicy policy) {
            this.methodBreaker = Objects.requireNonNull(policy, "methodBreaker");
            return this;
        }

        /**
         * The circuit breaker of each endpoint (outlier ejection). Default: {@link
         * CircuitBreakerPolicy#endpointDefaults()} (the rate-based defaults, and ejection after 5
         * failures in a row). Rules ({@code "endpointBreaker"}) override it.
         */
        public Builder endpointBreaker(CircuitBreakerPolicy policy) {
            this.endpointBreaker = Objects.requireNonNull(policy, "endpointBreaker");
            return this;
        }

        /**
         * Lets this client start at most {@code permitsPerSecond} calls per second of {@code
         * service}'s {@code method} ({@code "*"}: all methods together); others fail at once with
         * {@code RESOURCE_EXHAUSTED}. Rules ({@code clientLimits}) override it.
         */
        public Builder rateLimit(String service, String method, int permitsPerSecond) {
            if (permitsPerSecond < 1) {
                throw new IllegalArgumentException("permitsPerSecond: " + permitsPerSecond + " (expected: >= 1)");
            }
            ServerGovernance.putLimit(limits, service, method, permitsPerSecond, null);
            return this;
        }

        /**
         * Lets this client have at most {@code maxConcurrent} calls of {@code service}'s {@code method}
         * ({@code "*"}: all methods together) in flight; others fail at once with {@code
         * RESOURCE_EXHAUSTED}. Rules ({@code clientLimits}) override it.
         */
        public Builder concurrencyLimit(String service, String method, int maxConcurrent) {
            if (maxConcurrent < 1) {
                throw new IllegalArgumentException("maxConcurrent: " + maxConcurrent + " (expected: >= 1)");
            }
            ServerGovernance.putLimit(limits, service, method, null, maxConcurrent);
            return this;
        }

        /** The fallback of {@code service}. */
        public Builder fallback(String service, Fallback fallback) {
            Objects.requireNonNull(service, "service");
            fallbacks.put(service, Objects.requireNonNull(fallback, "fallback"));
            return this;
        }

        /**
         * The fallback of the service {@code serviceInterface} declares (its {@link ServiceName}, or
         * its Java name): {@code implementation} answers in its place.
         */
        public <T> Builder fallback(Class<T> serviceInterface, T implementation) {
            ServiceName name = serviceInterface.getAnnotation(ServiceName.class);
            return fallback(
                    name != null ? name.value() : serviceInterface.getName(),
                    Fallback.of(serviceInterface, implementation));
        }

        /**
         * The failures a fallback answers. Default: {@code UNAVAILABLE}, {@code DEADLINE_EXCEEDED},
         * {@code RESOURCE_EXHAUSTED}, {@code INTERNAL}, {@code UNKNOWN}, {@code DATA_LOSS}; answers such
         * as {@code NOT_FOUND} or {@code INVALID_ARGUMENT} reach the caller unchanged.
         */
        public Builder fallbackOn(Status.Code... codes) {
            EnumSet<Status.Code> set = EnumSet.noneOf(Status.Code.class);
            for (Status.Code c : codes) {
                if (Objects.requireNonNull(c, "fallbackOn") == Status.Code.OK) {
                    throw new IllegalArgumentException("fallbackOn: OK (expected: failure codes)");
                }
                set.add(c);
            }
            this.fallbackOn = set;
            return this;
        }

        /**
         * The clock of breakers, budgets and latency averages. Default: the system's. Tests pass a
         * clock they advance by hand.
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The random numbers of balancers and splits (tests fix a seed). Default: thread-local. */
        Builder random(Supplier<RandomGenerator> random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * The governance.
         *
         * @throws IllegalStateException if {@link LoadBalancing#CONSISTENT_HASH} has no {@link #hashHeader}
         */
        public ClientGovernance build() {
            if (loadBalancing == LoadBalancing.CONSISTENT_HASH && hashHeader == null) {
                throw new IllegalStateException(
                        "hashHeader: null (expected: a metadata key when loadBalancing is CONSISTENT_HASH)");
            }
            RuleStore store = rules.store();
            Ticker ticker = clock == null ? Ticker.system() : Ticker.of(clock);
            EndpointHealth health = new EndpointHealth(endpointBreaker, store, ticker, breakerListener);
            MethodBreakerInterceptor methodBreakers =
                    new MethodBreakerInterceptor(methodBreaker, store, ticker, breakerListener);

            Interceptor strategy = switch (clusterStrategy.kind()) {
                case FAILOVER -> new RetryInterceptor(retryPolicy, store, ticker);
                case FAILFAST -> FailfastInterceptor.INSTANCE;
                case FAILSAFE -> new FailsafeInterceptor(clusterStrategy.failsafeDefault());
                case FORKING -> new ForkingInterceptor(clusterStrategy.forks());
            };
            // The one place the order of the retry slot is written down (reasons in the class Javadoc).
            List<Interceptor> retrySlot = new ArrayList<>();
            retrySlot.add(new TimeoutInterceptor(timeout, store)); // first: the deadline covers all attempts
            retrySlot.add(new LimitInterceptor(LimitInterceptor.Side.CLIENT, limits, store, ticker)); // local refusals
            retrySlot.add(methodBreakers); // judges whole calls
            retrySlot.add(strategy); // last: each attempt goes back through routing and balancing

            List<Router> routers = new ArrayList<>();
            routers.add(
                    new VersionRouter(versions, store, VERSION_HEADER)); // hard requirements first: may leave nothing
            routers.add(new GroupRouter(group, store, GROUP_HEADER));
            routers.add(new SplitRouter(store, TAG_HEADER, random)); // before tags: splits may pick tagged canaries
            routers.add(new TagRouter(TAG_HEADER));
            if (zone != null) {
                routers.add(new ZoneRouter(zone, zoneMinHealthyShare, health)); // judges health itself
            }
            routers.add(health.router()); // last: panic routing sees what the others left

            return new ClientGovernance(
                    new FallbackInterceptor(fallbacks, fallbackOn, store),
                    Chain.of(retrySlot),
                    routers,
                    new BalancerFactory(loadBalancing, hashHeader, warmUp.toNanos(), store, ticker, random),
                    List.of(AttemptRecord.RECORDER, health.interceptor()),
                    methodBreakers,
                    health);
        }
    }
}
