package io.outrigger.observability.internal;

import io.opentelemetry.api.common.Attributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Records duration, sizes, calls in flight and refusals of each call, on the client (above fallback
 * and retry, so a call's duration includes its retries) or on the server.
 */
public final class MetricsInterceptor implements Interceptor {

    private final CallMetrics metrics;

    /** Records into {@code metrics} (the client's or the server's instruments). */
    public MetricsInterceptor(CallMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        long start = System.nanoTime();
        Attributes active = metrics.start(request);
        long requestBytes = CallMetrics.size(request.payload());
        CompletionStage<RpcResponse> stage;
        try {
            stage = next.invoke(request);
        } catch (RuntimeException | Error e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.whenComplete((response, error) -> {
            Status status = error != null ? Status.fromThrowable(error) : response.status();
            long responseBytes = status.isOk() ? CallMetrics.size(response.payload()) : -1;
            metrics.end(request, active, status, System.nanoTime() - start, requestBytes, responseBytes);
        });
    }
}
