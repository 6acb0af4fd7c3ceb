package io.outrigger.observability.internal;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.observability.OutriggerAttributes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One CLIENT span per call, around retries and fallbacks (the tracing slot is outermost). The
 * caller's current context is the parent; the span's context is injected into the request metadata
 * (an attempt interceptor below may replace it with its own) and carried on the request as {@link
 * CallState} for attempt spans.
 *
 * <p>The returned stage is completed with the caller's context current, so callbacks that run on
 * completion, and tasks handed to an executor wrapped with {@code Context.taskWrapping}, see the
 * context the call was made in.
 */
public final class ClientTracingInterceptor implements Interceptor {

    private final Tracer tracer;
    private final TextMapPropagator propagator;

    /** Call spans from {@code tracer}; context written with {@code propagator}. */
    public ClientTracingInterceptor(Tracer tracer, TextMapPropagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        Context parent = Context.current();
        Span span = tracer.spanBuilder(RpcSemantics.spanName(request))
                .setSpanKind(SpanKind.CLIENT)
                .setParent(parent)
                .setAttribute(RpcSemantics.SYSTEM, OutriggerAttributes.RPC_SYSTEM)
                .setAttribute(RpcSemantics.METHOD, request.fullMethodName())
                .setAttribute(OutriggerAttributes.SERVICE, request.service())
                .startSpan();
        Context context = parent.with(span);
        CallState state = new CallState(context);
        RpcRequest traced = MetadataCarrier.inject(propagator, context, request).withAttribute(CallState.KEY, state);
        CompletionStage<RpcResponse> stage;
        try (Scope ignored = context.makeCurrent()) {
            stage = next.invoke(traced);
        } catch (RuntimeException | Error e) {
            stage = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<RpcResponse> result = new CompletableFuture<>();
        stage.whenComplete((response, error) -> {
            RpcSemantics.setServer(span, state.lastEndpoint());
            if (state.attempts() > 0) {
                span.setAttribute(OutriggerAttributes.ATTEMPTS, state.attempts());
            }
            RpcSemantics.setMessages(span, request);
            RpcSemantics.end(span, response, error, false);
            try (Scope ignored = parent.makeCurrent()) {
                // Errors are values: a stage that failed anyway becomes a failed response.
                result.complete(error == null ? response : RpcResponse.failure(nonOk(Status.fromThrowable(error))));
            }
        });
        return result;
    }

    private static Status nonOk(Status status) {
        return status.isOk() ? Status.INTERNAL.withDescription("a stage failed with an OK status") : status;
    }
}
