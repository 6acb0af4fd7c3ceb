package io.outrigger.observability.internal;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.semconv.ClientAttributes;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.observability.OutriggerAttributes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.MDC;

/**
 * One SERVER span per call, child of the context found in the request metadata. Runs on the business
 * thread, so the span is made current (and its ids put in the SLF4J MDC) while the rest of the chain
 * and the service method run; both are undone when the service method returns.
 *
 * <p>An asynchronous service returns before its work is done: the span still ends when its stage
 * completes, but code running later on other threads sees the span only if it carries the context
 * there itself ({@code Context.current().wrap(task)}, or the Java agent does it).
 */
public final class ServerTracingInterceptor implements Interceptor {

    /** MDC key of the current trace id (32 hex digits). */
    public static final String MDC_TRACE_ID = "trace_id";

    /** MDC key of the current span id (16 hex digits). */
    public static final String MDC_SPAN_ID = "span_id";

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final boolean mdc;

    /** Server spans from {@code tracer}, context read with {@code propagator}; ids in the MDC if {@code mdc}. */
    public ServerTracingInterceptor(Tracer tracer, TextMapPropagator propagator, boolean mdc) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.mdc = mdc;
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        Context parent = MetadataCarrier.extract(propagator, Context.current(), request.metadata());
        var builder = tracer.spanBuilder(RpcSemantics.spanName(request))
                .setSpanKind(SpanKind.SERVER)
                .setParent(parent)
                .setAttribute(RpcSemantics.SYSTEM, OutriggerAttributes.RPC_SYSTEM)
                .setAttribute(RpcSemantics.METHOD, request.fullMethodName())
                .setAttribute(OutriggerAttributes.SERVICE, request.service());
        String remote = request.attributes().get(CallAttributes.REMOTE_ADDRESS);
        if (remote != null) {
            int colon = remote.lastIndexOf(':');
            if (colon > 0) {
                builder.setAttribute(ClientAttributes.CLIENT_ADDRESS, remote.substring(0, colon));
                try {
                    builder.setAttribute(ClientAttributes.CLIENT_PORT, Long.parseLong(remote.substring(colon + 1)));
                } catch (NumberFormatException e) {
                    // Not host:port; the address alone is still useful.
                }
            } else {
                builder.setAttribute(ClientAttributes.CLIENT_ADDRESS, remote);
            }
        }
        Span span = builder.startSpan();
        Context context = parent.with(span);
        SpanContext ids = span.getSpanContext();
        boolean putMdc = mdc && ids.isValid();
        String previousTrace = null;
        String previousSpan = null;
        if (putMdc) {
            previousTrace = MDC.get(MDC_TRACE_ID);
            previousSpan = MDC.get(MDC_SPAN_ID);
            MDC.put(MDC_TRACE_ID, ids.getTraceId());
            MDC.put(MDC_SPAN_ID, ids.getSpanId());
        }
        CompletionStage<RpcResponse> stage;
        try (Scope ignored = context.makeCurrent()) {
            stage = next.invoke(request);
        } catch (RuntimeException | Error e) {
            stage = CompletableFuture.failedFuture(e);
        } finally {
            if (putMdc) {
                restore(MDC_TRACE_ID, previousTrace);
                restore(MDC_SPAN_ID, previousSpan);
            }
        }
        return stage.whenComplete((response, error) -> {
            RpcSemantics.setMessages(span, request);
            RpcSemantics.end(span, response, error, true);
        });
    }

    private static void restore(String key, String previous) {
        if (previous == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, previous);
        }
    }
}
