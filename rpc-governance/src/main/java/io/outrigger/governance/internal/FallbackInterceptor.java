package io.outrigger.governance.internal;

import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.governance.Fallback;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers from a service's {@link Fallback} when a call failed (after retries, and when a breaker
 * below fails it fast) with one of {@code fallbackOn}, and for every call of a method the rules
 * degrade ({@code "degrade"}), which then never reaches a provider. A degraded method without a
 * fallback fails with {@code UNAVAILABLE} saying so. Thread-safe.
 */
public final class FallbackInterceptor implements Interceptor {

    private static final Logger log = LoggerFactory.getLogger(FallbackInterceptor.class);

    private final Map<String, Fallback> fallbacks;
    private final Set<Status.Code> fallbackOn;
    private final RuleStore store;

    /**
     * @param fallbacks by service name
     * @param fallbackOn the failures the fallback answers
     */
    public FallbackInterceptor(Map<String, Fallback> fallbacks, Set<Status.Code> fallbackOn, RuleStore store) {
        this.fallbacks = Map.copyOf(fallbacks);
        this.fallbackOn = Set.copyOf(fallbackOn);
        this.store = store;
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        Fallback fallback = fallbacks.isEmpty() ? null : fallbacks.get(request.service());
        if (store.current(request.service()).degraded(request.method())) {
            if (fallback == null) {
                return Calls.completed(RpcResponse.failure(Status.UNAVAILABLE.withDescription(
                        request.fullMethodName() + " is degraded by the service's rules and has no fallback")));
            }
            return run(fallback, request, null);
        }
        if (fallback == null) {
            return next.invoke(request);
        }
        return Calls.invoke(next, request).thenCompose(response -> {
            if (response.isOk() || !fallbackOn.contains(response.status().code())) {
                return Calls.completed(response);
            }
            log.debug("{} failed with {}; answering from the fallback", request.fullMethodName(), response.status());
            return run(fallback, request, response.status());
        });
    }

    private static CompletionStage<RpcResponse> run(Fallback fallback, RpcRequest request, Status failure) {
        try {
            CompletionStage<RpcResponse> stage = fallback.apply(request, failure);
            if (stage == null) {
                return Calls.completed(RpcResponse.failure(
                        Status.INTERNAL.withDescription("fallback of " + request.fullMethodName() + " returned null")));
            }
            return stage.handle((r, e) -> e != null ? Calls.failure(e) : r);
        } catch (RuntimeException e) {
            return Calls.completed(Calls.failure(e));
        }
    }

    @Override
    public String toString() {
        return "fallback " + fallbacks.keySet();
    }
}
