package io.outrigger.governance.internal;

import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.registry.ServiceInstance;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An endpoint without a network: answers with a function of the request, counts calls in flight,
 * and remembers what it received. The transport does not exist yet; this is a real {@link
 * io.outrigger.core.Invoker} returning futures, which is all governance sees of an endpoint.
 */
public final class FakeEndpoint implements Endpoint {

    private final ServiceInstance instance;
    private volatile Function<RpcRequest, CompletionStage<RpcResponse>> behaviour;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<RpcRequest> received = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean available = true;
    private volatile long ageNanos = Long.MAX_VALUE / 2;

    public FakeEndpoint(ServiceInstance instance) {
        this.instance = instance;
        this.behaviour = r -> CompletableFuture.completedFuture(RpcResponse.ok(Payload.of(instance.id())));
    }

    /** An endpoint of {@code demo.UserService} at 127.0.0.1:{@code port}, answering OK with its id. */
    public static FakeEndpoint of(int port) {
        return new FakeEndpoint(
                ServiceInstance.builder("demo.UserService", "127.0.0.1", port).build());
    }

    /** An endpoint of {@code instance}. */
    public static FakeEndpoint of(ServiceInstance.Builder instance) {
        return new FakeEndpoint(instance.build());
    }

    public FakeEndpoint answering(Function<RpcRequest, CompletionStage<RpcResponse>> behaviour) {
        this.behaviour = behaviour;
        return this;
    }

    /** Answers every call with {@code response} at once. */
    public FakeEndpoint answering(RpcResponse response) {
        return answering(r -> CompletableFuture.completedFuture(response));
    }

    public FakeEndpoint available(boolean available) {
        this.available = available;
        return this;
    }

    public FakeEndpoint age(long nanos) {
        this.ageNanos = nanos;
        return this;
    }

    public FakeEndpoint inFlight(int n) {
        inFlight.set(n);
        return this;
    }

    /** A copy of the requests received so far, in order. */
    public List<RpcRequest> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    public int calls() {
        return received.size();
    }

    @Override
    public CompletionStage<RpcResponse> invoke(RpcRequest request) {
        received.add(request);
        inFlight.incrementAndGet();
        return behaviour.apply(request).whenComplete((r, e) -> inFlight.decrementAndGet());
    }

    @Override
    public ServiceInstance instance() {
        return instance;
    }

    @Override
    public boolean isAvailable() {
        return available;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public long ageNanos() {
        return ageNanos;
    }

    @Override
    public String toString() {
        return instance.toString();
    }
}
