package io.outrigger.core;

import java.util.concurrent.CompletionStage;

/**
 * Wraps an {@link Invoker}: it may change the request, short-circuit with its own response, call
 * {@code next} any number of times (a retry), and change the response.
 *
 * <p>The same contract as {@link Invoker} applies: do not block, and report failures as responses
 * with a non-OK status.
 *
 * <pre>{@code
 * Interceptor tenant = (request, next) -> next.invoke(request.withHeader("tenant", "acme"));
 * }</pre>
 */
@FunctionalInterface
public interface Interceptor {

    CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next);
}
