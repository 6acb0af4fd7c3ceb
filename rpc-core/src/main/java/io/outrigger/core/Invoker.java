package io.outrigger.core;

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
}
