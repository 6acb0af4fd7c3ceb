package io.outrigger.observability.internal;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one line per served call to the SLF4J logger {@value #LOGGER}, at INFO, when the call ends:
 *
 * <pre>
 * time=2026-11-02T10:15:30.123Z remote=127.0.0.1:52814 method=demo.UserService/getUser status=OK
 *     latency_ms=1.234 request_bytes=18 response_bytes=-1 trace_id=4bf92f3577b34da6a3ce929d0e0e4736
 * </pre>
 *
 * The same fields are attached as SLF4J key-value pairs for structured encoders. Successful calls are
 * sampled at the configured ratio; failed calls are always logged. Must run inside the server
 * tracing interceptor to know the trace id (it reads the span current when the call starts, not the
 * MDC, because an asynchronous call ends on another thread).
 */
public final class AccessLogInterceptor implements Interceptor {

    /** The logger name. */
    public static final String LOGGER = "outrigger.access";

    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final double sampleRatio;

    /** Logs failed calls always and successful ones with probability {@code sampleRatio} (0..1). */
    public AccessLogInterceptor(double sampleRatio) {
        this.sampleRatio = sampleRatio;
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        if (!log.isInfoEnabled()) {
            return next.invoke(request);
        }
        long startNanos = System.nanoTime();
        Instant time = Instant.now();
        SpanContext span = Span.current().getSpanContext();
        CompletionStage<RpcResponse> stage;
        try {
            stage = next.invoke(request);
        } catch (RuntimeException | Error e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.whenComplete((response, error) -> {
            Status status = error != null ? Status.fromThrowable(error) : response.status();
            if (status.isOk() && !sampled()) {
                return;
            }
            long nanos = System.nanoTime() - startNanos;
            String remote = request.attributes().getOrDefault(CallAttributes.REMOTE_ADDRESS, "-");
            long requestBytes = CallMetrics.size(request.payload());
            long responseBytes = status.isOk() ? CallMetrics.size(response.payload()) : -1;
            String latency = String.format(Locale.ROOT, "%.3f", nanos / 1e6);
            String traceId = span.isValid() ? span.getTraceId() : "-";
            log.atInfo()
                    .addKeyValue("time", time)
                    .addKeyValue("remote", remote)
                    .addKeyValue("method", request.fullMethodName())
                    .addKeyValue("status", status.code().name())
                    .addKeyValue("latency_ms", latency)
                    .addKeyValue("request_bytes", requestBytes)
                    .addKeyValue("response_bytes", responseBytes)
                    .addKeyValue("trace_id", traceId)
                    .log(
                            "time={} remote={} method={} status={} latency_ms={} request_bytes={} response_bytes={}"
                                    + " trace_id={}{}",
                            time,
                            remote,
                            request.fullMethodName(),
                            status.code().name(),
                            latency,
                            requestBytes,
                            responseBytes,
                            traceId,
                            status.description() == null ? "" : " error=\"" + status.description() + '"');
        });
    }

    private boolean sampled() {
        return sampleRatio >= 1.0
                || (sampleRatio > 0 && ThreadLocalRandom.current().nextDouble() < sampleRatio);
    }
}
