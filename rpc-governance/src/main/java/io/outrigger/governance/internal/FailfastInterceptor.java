package io.outrigger.governance.internal;

import io.outrigger.core.CallAttributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import java.util.concurrent.CompletionStage;

/** Failfast: one attempt, its outcome returned as is. For non-idempotent writes. Stateless. */
public final class FailfastInterceptor implements Interceptor {

    /** The one instance. */
    public static final FailfastInterceptor INSTANCE = new FailfastInterceptor();

    private FailfastInterceptor() {}

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        return Calls.invoke(next, request.withAttribute(CallAttributes.ATTEMPT, 1));
    }

    @Override
    public String toString() {
        return "failfast";
    }
}
