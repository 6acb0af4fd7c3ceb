package io.outrigger.core;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Every step of a call has this one shape: an asynchronous function from request to response.
 * The network, a load balancer over endpoints, a retry policy, and a service implementation are all
 * invokers; {@link Interceptor}s decorate them.
 *
 * <p>Contract: never throw and never return a stage that completes exceptionally for an expected
 * failure; complete with an {@link RpcResponse} carrying a non-OK {@link Status} instead. Never
 * block: the call may run on a Netty event loop.
 */
@FunctionalInterface
public interface Invoker {

    CompletionStage<RpcResponse> invoke(RpcRequest request);

    /** This invoker wrapped by {@code interceptor}: {@code interceptor} runs first. */
    default Invoker decorate(Interceptor interceptor) {
        Invoker next = this;
        return request -> interceptor.intercept(request, next);
    }

    /**
     * {@code inner} wrapped by {@code outermostFirst}: a call runs the first interceptor, which calls
     * the second, and so on down to {@code inner}. The list is read once, now; an empty list gives
     * {@code inner} itself. Chains are written outermost first, the way they are read:
     *
     * <pre>{@code
     * Invoker chain = Invoker.decorate(service, List.of(tracing, auth, limits)); // tracing sees every call
     * }</pre>
     *
     * @throws NullPointerException if {@code inner}, the list or one of its interceptors is null
     */
    static Invoker decorate(Invoker inner, List<? extends Interceptor> outermostFirst) {
        Objects.requireNonNull(inner, "inner");
        Invoker chain = inner;
        // Wrapped from the innermost out, so that the first interceptor ends up outside.
        for (int i = outermostFirst.size() - 1; i >= 0; i--) {
            chain = chain.decorate(Objects.requireNonNull(outermostFirst.get(i), "interceptor"));
        }
        return chain;
    }
}
