package io.outrigger.observability.internal;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.observability.OutriggerAttributes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One INTERNAL span per attempt, below the load balancer (an endpoint interceptor), child of the call
 * span. It names the endpoint ({@code server.address}, {@code server.port}) and the attempt number,
 * and its context replaces the call span's in the request metadata, so each server span hangs under
 * the attempt that reached it (as gRPC's "Attempt" spans do).
 *
 * <p>The parent comes from the {@link CallState} on the request, not from the current thread: a retry
 * may run in a callback on an I/O thread, where no context is current.
 */
public final class AttemptTracingInterceptor implements Interceptor {

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    /** Attempt spans from {@code tracer}; context written with {@code propagator}. */
    public AttemptTracingInterceptor(Tracer tracer, TextMapPropagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        CallState state = request.attributes().get(CallState.KEY);
        Context parent = state != null ? state.context() : Context.current();
        int attempt = request.attributes().getOrDefault(CallAttributes.ATTEMPT, 1);
        Endpoint endpoint = request.attributes().get(CallAttributes.ENDPOINT);
        if (state != null) {
            state.attempt(endpoint, attempt);
        }
        Span span = tracer.spanBuilder(RpcSemantics.spanName(request) + " attempt")
                .setSpanKind(SpanKind.INTERNAL)
                .setParent(parent)
                .setAttribute(RpcSemantics.SYSTEM, OutriggerAttributes.RPC_SYSTEM)
                .setAttribute(RpcSemantics.METHOD, request.fullMethodName())
                .setAttribute(OutriggerAttributes.SERVICE, request.service())
                .setAttribute(OutriggerAttributes.ATTEMPT, (long) attempt)
                .startSpan();
        RpcSemantics.setServer(span, endpoint);
        Context context = parent.with(span);
        CompletionStage<RpcResponse> stage;
        try (Scope ignored = context.makeCurrent()) {
            stage = next.invoke(MetadataCarrier.inject(propagator, context, request));
        } catch (RuntimeException | Error e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.whenComplete((response, error) -> RpcSemantics.end(span, response, error, false));
    }
}
