package io.outrigger.core.internal.client;

import io.outrigger.core.CallAttributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.NoProviderException;
import io.outrigger.core.Payload;
import io.outrigger.core.RequestNotRunException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.Subscription;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.LoadBalancer;
import io.outrigger.core.cluster.Router;
import io.outrigger.core.internal.stream.StreamHandler;
import io.outrigger.core.internal.transport.ClientTransport;
import io.outrigger.core.internal.transport.PeerConnections;
import io.outrigger.core.registry.InstanceListener;
import io.outrigger.core.registry.Registry;
import io.outrigger.core.registry.ServiceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The innermost client invoker of one service: the registry's current instances, then the routers,
 * then the load balancer, then the endpoint-level interceptors, then the chosen endpoint.
 *
 * <p>The request path reads one volatile list; the registry thread replaces that list when instances
 * change. Nothing here talks to the registry per call.
 */
final class ClusterInvoker implements Invoker, InstanceListener, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ClusterInvoker.class);

    private final String service;
    private final ClientTransport transport;
    private final List<Router> routers;
    private final LoadBalancer balancer;
    private final boolean balancerLearns;
    private final List<Interceptor> endpointInterceptors;
    private final Subscription subscription;

    /** How long a lost instance is kept while connected; 0: never. */
    private final long maxHoldNanos;

    private volatile List<Endpoint> endpoints = List.of();
    /** The endpoints, in the order published (the registry's, then those held). */
    private final Map<String, ClusterEndpoint> byId = new LinkedHashMap<>();

    private ScheduledFuture<?> holdCheck;
    private boolean closed;

    /** How often held endpoints are checked at most; balancers skip a failed one before that. */
    private static final long HOLD_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    ClusterInvoker(
            String service,
            Registry registry,
            ClientTransport transport,
            List<Router> routers,
            LoadBalancer balancer,
            List<Interceptor> endpointInterceptors,
            Duration lostProviderHold) {
        this.service = service;
        this.maxHoldNanos = lostProviderHold.toNanos();
        this.transport = transport;
        this.routers = List.copyOf(routers);
        this.balancer = balancer;
        this.balancerLearns = overridesOnResult(balancer);
        this.endpointInterceptors = List.copyOf(endpointInterceptors);
        this.subscription = registry.subscribe(service, this);
    }

    @Override
    public CompletionStage<RpcResponse> invoke(RpcRequest request) {
        List<Endpoint> all = endpoints;
        if (all.isEmpty()) {
            return noProvider(Status.UNAVAILABLE.withDescription("no provider of " + service + " is registered"));
        }
        List<Endpoint> candidates = all;
        for (Router router : routers) {
            List<Endpoint> routed = router.route(candidates, request);
            if (routed.isEmpty()) {
                Status why = router.noMatch(candidates, request);
                if (why == null) {
                    why = Status.UNAVAILABLE.withDescription("no provider of " + service + " left after router "
                            + router + " (" + candidates.size() + " candidates before it: " + describe(candidates)
                            + ")");
                }
                return noProvider(why);
            }
            candidates = routed;
        }
        candidates = usable(candidates, request.attributes().get(CallAttributes.TRIED_ENDPOINTS));
        if (candidates.isEmpty()) {
            return fail("all " + all.size() + " providers of " + service + " are unreachable: " + describe(all)
                    + "; the request was not sent");
        }
        Endpoint endpoint = balancer.pick(candidates, request);
        ClientStreamCall stream =
                balancerLearns && request.attributes().get(StreamHandler.KEY) instanceof ClientStreamCall s ? s : null;
        java.util.concurrent.atomic.AtomicBoolean learned = null;
        long start = balancerLearns ? System.nanoTime() : 0;
        if (stream != null) {
            // A stream's latency is its time to first answer; how long it then lasts is the consumer's business.
            java.util.concurrent.atomic.AtomicBoolean once = learned = new java.util.concurrent.atomic.AtomicBoolean();
            stream.onFirstAnswer(() -> {
                if (once.compareAndSet(false, true)) {
                    balancer.onResult(endpoint, RpcResponse.ok(Payload.EMPTY), System.nanoTime() - start);
                }
            });
        }
        CompletionStage<RpcResponse> result;
        if (endpointInterceptors.isEmpty()) {
            result = endpoint.invoke(request);
        } else {
            // Built once per endpoint when it appears; endpoints from elsewhere (tests) are decorated here.
            Invoker chain = endpoint instanceof ClusterEndpoint c ? c.attempt : attemptChain(endpoint);
            result = chain.invoke(request.withAttribute(CallAttributes.ENDPOINT, endpoint));
        }
        if (balancerLearns) {
            java.util.concurrent.atomic.AtomicBoolean once = learned;
            result = result.whenComplete((response, error) -> {
                if (response != null && (once == null || once.compareAndSet(false, true))) {
                    balancer.onResult(
                            endpoint, response, System.nanoTime() - start); // a stream that got no answer: its end
                }
            });
        }
        return result;
    }

    /** The available candidates not tried already; the same list when all qualify (no allocation). */
    private static List<Endpoint> usable(List<Endpoint> candidates, Set<String> tried) {
        int n = candidates.size();
        boolean all = true;
        for (int i = 0; i < n && all; i++) {
            Endpoint e = candidates.get(i);
            all = e.isAvailable()
                    && (tried == null || !tried.contains(e.instance().id()));
        }
        if (all) {
            return candidates;
        }
        List<Endpoint> available = new ArrayList<>(n);
        List<Endpoint> untried = new ArrayList<>(n);
        for (Endpoint e : candidates) {
            if (e.isAvailable()) {
                available.add(e);
                if (tried == null || !tried.contains(e.instance().id())) {
                    untried.add(e);
                }
            }
        }
        // Prefer endpoints not tried yet, but an endpoint tried before beats none at all.
        return untried.isEmpty() ? available : untried;
    }

    /** Not sent, and worth another attempt: an endpoint may become usable (its breaker half-opens). */
    private static CompletionStage<RpcResponse> fail(String description) {
        return CompletableFuture.completedFuture(RpcResponse.failure(
                Status.UNAVAILABLE.withDescription(description).withCause(new RequestNotRunException(description))));
    }

    /** Routing found nobody: final for this call, another attempt would meet the same list. */
    private static CompletionStage<RpcResponse> noProvider(Status why) {
        return CompletableFuture.completedFuture(
                RpcResponse.failure(why.withCause(new NoProviderException(why.description()))));
    }

    private static String describe(List<Endpoint> endpoints) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < endpoints.size() && i < 5; i++) {
            Endpoint e = endpoints.get(i);
            sb.append(i == 0 ? "" : ", ").append(e.instance());
            if (!e.isAvailable()) {
                sb.append(" (")
                        .append(e instanceof ClusterEndpoint c ? c.peer.state() : "unreachable")
                        .append(')');
            }
        }
        if (endpoints.size() > 5) {
            sb.append(", ...");
        }
        return sb.toString();
    }

    @Override
    public void onInstances(String service, List<ServiceInstance> instances) {
        onInstances(service, instances, Set.of()); // a registry that cannot tell: every removal is a loss
    }

    @Override
    public synchronized void onInstances(String service, List<ServiceInstance> instances, Set<String> withdrawn) {
        if (closed) {
            return;
        }
        Map<String, ClusterEndpoint> next = new LinkedHashMap<>();
        List<Endpoint> list = new ArrayList<>(instances.size());
        for (ServiceInstance instance : instances) {
            if (next.containsKey(instance.id())) {
                continue;
            }
            ClusterEndpoint existing = byId.remove(instance.id());
            ClusterEndpoint endpoint;
            if (existing == null) {
                PeerConnections peer = transport.acquire(instance.host(), instance.port());
                peer.incarnation(instance.incarnation());
                endpoint = new ClusterEndpoint(instance, peer);
                endpoint.attempt = attemptChain(endpoint);
            } else if (restarted(existing.instance, instance)) {
                // The same address, another process (restarted faster than the registry noticed):
                // cold, so it warms up from the start, and called over new connections.
                log.info("{}: {} was restarted; it warms up again", service, instance.id());
                existing.peer.incarnation(instance.incarnation());
                endpoint = new ClusterEndpoint(instance, existing.peer);
                endpoint.attempt = attemptChain(endpoint);
            } else if (!existing.instance.equals(instance) || existing.held) {
                if (existing.held) {
                    log.info("{}: the registry lists {} again; no longer held", service, instance.id());
                }
                existing.peer.incarnation(instance.incarnation()); // e.g. learnt from an upgraded provider
                endpoint = existing.withInstance(instance);
                endpoint.attempt = attemptChain(endpoint);
            } else {
                endpoint = existing;
            }
            next.put(instance.id(), endpoint);
            list.add(endpoint);
        }
        long now = System.nanoTime();
        List<String> newlyHeld = new ArrayList<>();
        for (ClusterEndpoint gone : byId.values()) {
            String why = whyNotHeld(gone, withdrawn, now);
            if (why == null) {
                ClusterEndpoint kept = gone;
                if (!gone.held) {
                    kept = gone.heldSince(now);
                    kept.attempt = attemptChain(kept);
                    newlyHeld.add(gone.instance.id());
                }
                next.put(kept.instance.id(), kept);
                list.add(kept);
            } else {
                if (gone.held) {
                    log.info("{}: dropping held {}: {}", service, gone.instance.id(), why);
                }
                // Calls in flight there finish; the connection closes once idle (if no other service uses it).
                transport.release(gone.peer);
            }
        }
        if (!newlyHeld.isEmpty()) {
            log.warn(
                    "{}: the registry lost {} without a graceful departure, but this client's connections to them"
                            + " are up and answering heartbeats: still calling them until their connections fail"
                            + " (at most {})",
                    service,
                    newlyHeld,
                    Duration.ofNanos(maxHoldNanos));
        }
        byId.clear();
        byId.putAll(next);
        endpoints = List.copyOf(list);
        scheduleHoldCheck();
        log.debug("{}: {} providers: {}", service, list.size(), list);
    }

    /** Why {@code e}, gone from the registry's list, is not kept; null when it is. */
    private String whyNotHeld(ClusterEndpoint e, Set<String> withdrawn, long now) {
        if (maxHoldNanos <= 0) {
            return "holds are off";
        }
        if (withdrawn.contains(e.instance.id())) {
            return "withdrawn";
        }
        if (!e.peer.connected()) {
            return "no working connection to it";
        }
        if (e.held && now - e.heldSinceNanos >= maxHoldNanos) {
            return "held for the maximum of " + Duration.ofNanos(maxHoldNanos);
        }
        return null;
    }

    /** While something is held, checks it again soon: a failed connection or the cap drops it. */
    private void scheduleHoldCheck() {
        if (holdCheck != null || closed || !hasHeld()) {
            return;
        }
        long period = Math.max(10_000_000L, Math.min(HOLD_CHECK_NANOS, maxHoldNanos / 4));
        try {
            holdCheck = transport.timer().schedule(this::checkHolds, period, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the transport is closing
        }
    }

    private synchronized void checkHolds() {
        holdCheck = null;
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        boolean changed = false;
        for (Iterator<ClusterEndpoint> it = byId.values().iterator(); it.hasNext(); ) {
            ClusterEndpoint e = it.next();
            if (!e.held) {
                continue;
            }
            String why = whyNotHeld(e, Set.of(), now);
            if (why != null) {
                log.info("{}: dropping held {}: {}", service, e.instance.id(), why);
                it.remove();
                transport.release(e.peer);
                changed = true;
            }
        }
        if (changed) {
            endpoints = List.copyOf(byId.values());
        }
        scheduleHoldCheck();
    }

    private boolean hasHeld() {
        for (ClusterEndpoint e : byId.values()) {
            if (e.held) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code now} is another process than {@code before}: both say which, and differ. */
    private static boolean restarted(ServiceInstance before, ServiceInstance now) {
        return !before.incarnation().isEmpty()
                && !now.incarnation().isEmpty()
                && !before.incarnation().equals(now.incarnation());
    }

    /** {@code endpoint} wrapped by the endpoint-level interceptors (outermost first). */
    private Invoker attemptChain(Endpoint endpoint) {
        return Invoker.decorate(endpoint, endpointInterceptors);
    }

    /** The ids of the endpoints held now (lost by the registry, kept while connected). */
    List<String> held() {
        List<String> ids = new ArrayList<>();
        for (Endpoint e : endpoints) {
            if (e.isHeld()) {
                ids.add(e.instance().id());
            }
        }
        return ids;
    }

    /** The endpoints seen now. */
    List<Endpoint> endpoints() {
        return endpoints;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (holdCheck != null) {
            holdCheck.cancel(false);
        }
        subscription.close();
        for (ClusterEndpoint e : byId.values()) {
            transport.release(e.peer);
        }
        byId.clear();
        endpoints = List.of();
    }

    private static boolean overridesOnResult(LoadBalancer balancer) {
        try {
            return balancer.getClass()
                            .getMethod("onResult", Endpoint.class, RpcResponse.class, long.class)
                            .getDeclaringClass()
                    != LoadBalancer.class;
        } catch (NoSuchMethodException e) {
            return true;
        }
    }
}
