package io.outrigger.governance.internal;

import io.outrigger.core.CallAttributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failsafe: one attempt; a failure is logged and replaced by the response {@code onFailure} gives
 * (for calls whose result the caller can do without, such as audit logging). The replacement is
 * explicit on purpose: an "OK with an empty payload" would only move the failure into the proxy's
 * decoding. Thread-safe.
 */
public final class FailsafeInterceptor implements Interceptor {

    private static final Logger log = LoggerFactory.getLogger(FailsafeInterceptor.class);

    private final Function<RpcRequest, RpcResponse> onFailure;

    /** Replaces failures by {@code onFailure.apply(request)}. */
    public FailsafeInterceptor(Function<RpcRequest, RpcResponse> onFailure) {
        this.onFailure = onFailure;
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        return Calls.invoke(next, request.withAttribute(CallAttributes.ATTEMPT, 1))
                .thenApply(response -> {
                    if (response.isOk()) {
                        return response;
                    }
                    log.warn(
                            "Failsafe: {} failed with {}; answering with the failsafe default",
                            request.fullMethodName(),
                            response.status());
                    try {
                        RpcResponse replacement = onFailure.apply(request);
                        return replacement == null ? response : replacement;
                    } catch (RuntimeException e) {
                        log.warn("Failsafe default of {} threw", request.fullMethodName(), e);
                        return response;
                    }
                });
    }

    @Override
    public String toString() {
        return "failsafe";
    }
}
