package io.outrigger.observability.internal;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.Status;
import io.outrigger.core.stream.StreamProgress;
import io.outrigger.observability.OutriggerAttributes;
import io.outrigger.observability.RejectionReason;
import io.outrigger.serialization.Serializer;
import io.outrigger.serialization.Serializers;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The call instruments of one side (client or server) and the attribute sets they are recorded with.
 *
 * <p>Attribute sets are built once per (method, status code) and cached, so recording a call does not
 * allocate them; the cache holds at most {@value #MAX_METHODS} methods, beyond which sets are built
 * per call. Thread-safe.
 */
public final class CallMetrics {

    static final int MAX_METHODS = 2_000;

    /** The bucket boundaries the conventions advise for RPC durations in seconds. */
    private static final List<Double> DURATION_BUCKETS =
            List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0);

    private static final Status.Code[] CODES = Status.Code.values();

    private final boolean server;
    private final DoubleHistogram duration;
    private final LongHistogram requestSize;
    private final LongHistogram responseSize;
    private final LongUpDownCounter active;
    private final LongCounter rejected;
    private final LongUpDownCounter activeStreams;
    private final LongCounter messagesSent;
    private final LongCounter messagesReceived;
    private final Map<String, Attributes[]> byMethod = new ConcurrentHashMap<>();
    private final Map<String, Attributes> activeByMethod = new ConcurrentHashMap<>();
    private final Attributes serverActive = Attributes.of(RpcSemantics.SYSTEM, OutriggerAttributes.RPC_SYSTEM);

    /** The instruments of the client side ({@code server == false}) or the server side. */
    public CallMetrics(Meter meter, boolean server) {
        this.server = server;
        String side = server ? "server" : "client";
        this.duration = meter.histogramBuilder("rpc." + side + ".call.duration")
                .setUnit("s")
                .setDescription(server ? "Duration of calls served." : "Duration of calls made, retries included.")
                .setExplicitBucketBoundariesAdvice(DURATION_BUCKETS)
                .build();
        this.requestSize = meter.histogramBuilder("rpc." + side + ".request.size")
                .ofLongs()
                .setUnit("By")
                .setDescription("Size of encoded request messages (when known; see docs/observability.md).")
                .build();
        this.responseSize = meter.histogramBuilder("rpc." + side + ".response.size")
                .ofLongs()
                .setUnit("By")
                .setDescription("Size of encoded response messages (when known; see docs/observability.md).")
                .build();
        this.active = meter.upDownCounterBuilder("outrigger." + side + ".calls.active")
                .setUnit("{call}")
                .setDescription(server ? "Calls being served." : "Calls made and not yet answered.")
                .build();
        this.activeStreams = meter.upDownCounterBuilder("outrigger." + side + ".streams.active")
                .setUnit("{stream}")
                .setDescription(server ? "Streams being served." : "Streams open.")
                .build();
        this.messagesSent = meter.counterBuilder("rpc." + side + ".stream.messages.sent")
                .setUnit("{message}")
                .setDescription("Messages sent on streams, counted when each stream ends.")
                .build();
        this.messagesReceived = meter.counterBuilder("rpc." + side + ".stream.messages.received")
                .setUnit("{message}")
                .setDescription("Messages received on streams, counted when each stream ends.")
                .build();
        this.rejected = meter.counterBuilder("outrigger." + side + ".calls.rejected")
                .setUnit("{call}")
                .setDescription("Calls refused without running, by reason (rate_limit, bulkhead, breaker_open, "
                        + "server_busy).")
                .build();
    }

    /** Counts a call as started; returns the attribute set to pass to {@link #end}. */
    public Attributes start(RpcRequest request) {
        // On the server the method name comes from the caller: keep it out of a series that lives on.
        Attributes attributes = server ? serverActive : activeAttributes(request.fullMethodName());
        active.add(1, attributes);
        if (CallAttributes.isStream(request)) {
            activeStreams.add(1, attributes);
        }
        return attributes;
    }

    /** Records a finished call. */
    public void end(
            RpcRequest request,
            Attributes activeAttributes,
            Status status,
            long nanos,
            long requestBytes,
            long responseBytes) {
        active.add(-1, activeAttributes);
        Attributes attributes = attributes(methodFor(request, status), status.code());
        StreamProgress progress = request.attributes().get(CallAttributes.STREAM_PROGRESS);
        if (CallAttributes.isStream(request)) {
            activeStreams.add(-1, activeAttributes);
        }
        if (progress != null) {
            messagesSent.add(progress.messagesSent(), attributes);
            messagesReceived.add(progress.messagesReceived(), attributes);
        }
        duration.record(nanos / 1e9, attributes);
        if (requestBytes >= 0) {
            requestSize.record(requestBytes, attributes);
        }
        if (responseBytes >= 0) {
            responseSize.record(responseBytes, attributes);
        }
        RejectionReason reason = RejectionReason.of(status);
        if (reason != null) {
            rejected.add(
                    1,
                    Attributes.builder()
                            .putAll(attributes)
                            .put(OutriggerAttributes.REJECTION_REASON, reason.value())
                            .build());
        }
    }

    /**
     * The encoded size of {@code payload}: the byte count of encoded bytes, or, for a message object
     * not encoded yet, what its serializer reports ({@link Serializer#encodedSize}: protobuf messages
     * know it, memoized, so the encoding that follows does not pay for it again); -1 when unknown.
     */
    public static long size(Payload payload) {
        if (payload instanceof Payload.Encoded e) {
            return e.size();
        }
        Object message = ((Payload.OfMessage) payload).message();
        Serializers serializers = Serializers.defaults();
        return serializers.supports(message.getClass())
                ? serializers.forType(message.getClass()).encodedSize(message)
                : -1;
    }

    /**
     * The method attribute: {@code service/method}, except on the server for calls to a method it does
     * not have ({@code UNIMPLEMENTED}), which the conventions ask to record as {@code _OTHER} so that
     * callers cannot grow the metric without bound.
     */
    private String methodFor(RpcRequest request, Status status) {
        return server && status.code() == Status.Code.UNIMPLEMENTED
                ? RpcSemantics.OTHER_METHOD
                : request.fullMethodName();
    }

    private Attributes activeAttributes(String method) {
        Attributes a = activeByMethod.get(method);
        if (a == null) {
            a = Attributes.of(RpcSemantics.SYSTEM, OutriggerAttributes.RPC_SYSTEM, RpcSemantics.METHOD, method);
            if (activeByMethod.size() < MAX_METHODS) {
                activeByMethod.putIfAbsent(method, a);
            }
        }
        return a;
    }

    private Attributes attributes(String method, Status.Code code) {
        Attributes[] sets = byMethod.get(method);
        if (sets == null) {
            if (byMethod.size() >= MAX_METHODS) {
                return build(method, code);
            }
            sets = byMethod.computeIfAbsent(method, m -> new Attributes[CODES.length]);
        }
        Attributes a = sets[code.ordinal()];
        if (a == null) {
            a = build(method, code);
            sets[code.ordinal()] = a; // a benign race: both writers store equal sets
        }
        return a;
    }

    private Attributes build(String method, Status.Code code) {
        AttributesBuilder b = Attributes.builder()
                .put(RpcSemantics.SYSTEM, OutriggerAttributes.RPC_SYSTEM)
                .put(RpcSemantics.METHOD, method)
                .put(RpcSemantics.STATUS_CODE, code.name());
        boolean error = server ? RpcSemantics.isServerError(code) : code != Status.Code.OK;
        if (error) {
            b.put(RpcSemantics.ERROR_TYPE, code.name());
        }
        return b.build();
    }
}
