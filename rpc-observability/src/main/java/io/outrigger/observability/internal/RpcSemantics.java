package io.outrigger.observability.internal;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.RpcAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.observability.OutriggerAttributes;

/** How calls map to the OpenTelemetry RPC semantic conventions; shared by spans and metrics. */
public final class RpcSemantics {

    /** The instrumentation scope name of every tracer and meter. */
    public static final String SCOPE = "io.outrigger";

    /** {@code rpc.method} value for methods the server does not know (bounded metric cardinality). */
    public static final String OTHER_METHOD = "_OTHER";

    /** {@code rpc.system.name}. */
    public static final AttributeKey<String> SYSTEM = RpcAttributes.RPC_SYSTEM_NAME;
    /** {@code rpc.method}: {@code service/method}. */
    public static final AttributeKey<String> METHOD = RpcAttributes.RPC_METHOD;
    /** {@code rpc.status_code}: the status code name. */
    public static final AttributeKey<String> STATUS_CODE = RpcAttributes.RPC_STATUS_CODE;
    /** {@code error.type}: the status code name of a failed call. */
    public static final AttributeKey<String> ERROR_TYPE = ErrorAttributes.ERROR_TYPE;

    private RpcSemantics() {}

    /**
     * Whether a server span with {@code code} is an error. As for gRPC in the conventions: codes that
     * say the caller asked for something wrong (NOT_FOUND, INVALID_ARGUMENT, ...) are the caller's
     * problem, not the server's.
     */
    public static boolean isServerError(Status.Code code) {
        switch (code) {
            case UNKNOWN:
            case DEADLINE_EXCEEDED:
            case UNIMPLEMENTED:
            case INTERNAL:
            case UNAVAILABLE:
            case DATA_LOSS:
                return true;
            default:
                return false;
        }
    }

    /** The outcome of a call on its span: status code attribute, error type and span status. */
    /** Puts a stream's message counts on its span (nothing for a unary call). */
    public static void setMessages(Span span, io.outrigger.core.RpcRequest request) {
        io.outrigger.core.stream.StreamProgress progress =
                request.attributes().get(io.outrigger.core.CallAttributes.STREAM_PROGRESS);
        if (progress != null) {
            span.setAttribute(OutriggerAttributes.MESSAGES_SENT, progress.messagesSent());
            span.setAttribute(OutriggerAttributes.MESSAGES_RECEIVED, progress.messagesReceived());
        }
    }

    public static void end(Span span, RpcResponse response, Throwable error, boolean server) {
        Status status = error != null ? Status.fromThrowable(error) : response.status();
        span.setAttribute(STATUS_CODE, status.code().name());
        boolean failed = server ? isServerError(status.code()) : !status.isOk();
        if (failed) {
            span.setAttribute(ERROR_TYPE, status.code().name());
            span.setStatus(StatusCode.ERROR, status.toString());
            if (status.cause() != null) {
                span.recordException(status.cause());
            }
        }
        span.end();
    }

    /** Sets {@code server.address} and {@code server.port} from {@code endpoint}, if known. */
    public static void setServer(Span span, Endpoint endpoint) {
        if (endpoint != null) {
            ServiceInstance instance = endpoint.instance();
            span.setAttribute(ServerAttributes.SERVER_ADDRESS, instance.host());
            span.setAttribute(ServerAttributes.SERVER_PORT, (long) instance.port());
        }
    }

    /** The span name the conventions ask for: {@code service/method}. */
    public static String spanName(RpcRequest request) {
        return request.fullMethodName();
    }
}
