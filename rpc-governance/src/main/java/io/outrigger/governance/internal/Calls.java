package io.outrigger.governance.internal;

import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Small helpers shared by the interceptors. */
final class Calls {

    private Calls() {}

    /**
     * {@code next.invoke(request)}, turning a thrown exception or an exceptionally completed stage
     * into a failed response (the {@link Invoker} contract forbids both, but one broken invoker must
     * not break retries and breakers above it).
     */
    static CompletionStage<RpcResponse> invoke(Invoker next, RpcRequest request) {
        CompletionStage<RpcResponse> stage;
        try {
            stage = next.invoke(request);
        } catch (Throwable t) {
            return CompletableFuture.completedFuture(failure(t));
        }
        if (stage == null) {
            return CompletableFuture.completedFuture(
                    RpcResponse.failure(Status.INTERNAL.withDescription("invoker returned null for " + request)));
        }
        return stage.handle((resp, err) -> err != null ? failure(err) : resp);
    }

    static RpcResponse failure(Throwable t) {
        Status s = Status.fromThrowable(unwrap(t));
        return RpcResponse.failure(s.isOk() ? Status.UNKNOWN.withCause(t) : s);
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException
                        || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static CompletionStage<RpcResponse> completed(RpcResponse response) {
        return CompletableFuture.completedFuture(response);
    }

    /** {@code response} with {@code note} appended to its status description. */
    static RpcResponse annotate(RpcResponse response, String note) {
        Status s = response.status();
        String d = s.description();
        return new RpcResponse(
                s.withDescription(d == null ? note : d + " (" + note + ")"), response.metadata(), response.payload());
    }
}
