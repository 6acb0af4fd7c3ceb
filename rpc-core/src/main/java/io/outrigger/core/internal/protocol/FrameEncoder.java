package io.outrigger.core.internal.protocol;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.outrigger.core.Metadata;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.serialization.ProtobufSerializer;
import io.outrigger.serialization.Serializer;
import io.outrigger.serialization.Serializers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes frames into pooled buffers (layout in {@code docs/protocol.md}). Runs on whatever thread
 * produces the message (the caller, or the business thread), so serialization stays off the event
 * loops.
 *
 * <p>Ownership: each method returns a buffer the caller must write or release; on any failure the
 * buffer is released here before the exception leaves.
 */
public final class FrameEncoder {

    public static final int MAGIC = 0x4F52; // "OR"
    public static final int VERSION = 1;
    public static final int HEADER_LENGTH = 24;

    private final Serializers serializers;
    private final int maxMessageSize;

    public FrameEncoder(Serializers serializers, int maxMessageSize) {
        this.serializers = serializers;
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * Encodes a request.
     *
     * @throws RpcException {@code RESOURCE_EXHAUSTED} if the message is over the limit, {@code
     *     INVALID_ARGUMENT} if it cannot be serialized or the metadata is too large
     */
    public ByteBuf request(ByteBufAllocator alloc, int requestId, RpcRequest request) {
        return request(alloc, requestId, request, timeoutMicros(request));
    }

    /** Encodes a request with an explicit remaining time (test vectors need a fixed one). */
    public ByteBuf request(ByteBufAllocator alloc, int requestId, RpcRequest request, long timeoutMicros) {
        return request(alloc, requestId, request, timeoutMicros, 0);
    }

    /**
     * Encodes the frame that opens stream {@code requestId}: a request with the STREAM flag, carrying
     * the request's message if it has one, and END when the client sends nothing after it.
     */
    public ByteBuf streamOpen(ByteBufAllocator alloc, int requestId, RpcRequest request, boolean end) {
        return request(
                alloc, requestId, request, timeoutMicros(request), FrameFlags.STREAM | (end ? FrameFlags.END : 0));
    }

    /** {@link #streamOpen} with an explicit remaining time (test vectors need a fixed one). */
    public ByteBuf streamOpen(
            ByteBufAllocator alloc, int requestId, RpcRequest request, long timeoutMicros, boolean end) {
        return request(alloc, requestId, request, timeoutMicros, FrameFlags.STREAM | (end ? FrameFlags.END : 0));
    }

    private ByteBuf request(ByteBufAllocator alloc, int requestId, RpcRequest request, long timeoutMicros, int flags) {
        ByteBuf buf = alloc.buffer(256);
        try {
            buf.writeZero(HEADER_LENGTH);
            int pathStart = buf.writerIndex();
            buf.writeCharSequence(request.service(), StandardCharsets.UTF_8);
            buf.writeByte('/');
            buf.writeCharSequence(request.method(), StandardCharsets.UTF_8);
            int pathLength = buf.writerIndex() - pathStart;
            if (pathLength > ProtocolLimits.MAX_PATH_LENGTH) {
                throw RpcException.of(Status.INVALID_ARGUMENT.withDescription("service/method name of " + pathLength
                        + " bytes exceeds " + ProtocolLimits.MAX_PATH_LENGTH + " bytes"));
            }
            int metadataLength = writeMetadata(buf, request.metadata());
            byte serializerId = writeBody(buf, request.payload(), "request for " + request.fullMethodName());
            int bodyLength = buf.writerIndex() - HEADER_LENGTH - pathLength - metadataLength;
            writeHeader(buf, flags, serializerId, 0, pathLength, requestId, timeoutMicros, metadataLength, bodyLength);
            return buf;
        } catch (RuntimeException | Error e) {
            buf.release();
            throw e;
        }
    }

    /** Encodes a response; a failure carries its description as UTF-8 text. */
    public ByteBuf response(ByteBufAllocator alloc, int requestId, RpcResponse response) {
        return response(alloc, requestId, response, 0);
    }

    /**
     * Encodes the frame that ends stream {@code requestId} on the server's side, and so the stream:
     * its status and trailing metadata, and a last message when the response has one (the answer of
     * a client-streaming method).
     */
    public ByteBuf streamEnd(ByteBufAllocator alloc, int requestId, RpcResponse response) {
        return response(alloc, requestId, response, FrameFlags.STREAM | FrameFlags.END);
    }

    /**
     * Encodes one message of stream {@code requestId}: from the server ({@code fromServer}) or the
     * client; with {@link Payload#EMPTY} and {@code end}, a client's end without a message.
     *
     * @throws RpcException {@code RESOURCE_EXHAUSTED} if the message is over the limit, {@code INTERNAL}
     *     if it cannot be serialized
     */
    public ByteBuf streamMessage(
            ByteBufAllocator alloc, int requestId, Payload message, boolean fromServer, boolean end) {
        ByteBuf buf = alloc.buffer(256);
        try {
            buf.writeZero(HEADER_LENGTH);
            byte serializerId = writeBody(buf, message, "stream message");
            int flags = FrameFlags.STREAM | (fromServer ? FrameFlags.RESPONSE : 0) | (end ? FrameFlags.END : 0);
            writeHeader(buf, flags, serializerId, 0, 0, requestId, 0, 0, buf.writerIndex() - HEADER_LENGTH);
            return buf;
        } catch (RuntimeException | Error e) {
            buf.release();
            throw e;
        }
    }

    /** A window update of stream {@code requestId}: the sender accepts {@code credit} more messages. */
    public static ByteBuf window(ByteBufAllocator alloc, int requestId, int credit, boolean fromServer) {
        ByteBuf buf = alloc.buffer(HEADER_LENGTH + 4);
        buf.writeZero(HEADER_LENGTH);
        buf.writeInt(credit);
        int flags = FrameFlags.STREAM | FrameFlags.WINDOW | (fromServer ? FrameFlags.RESPONSE : 0);
        writeHeader(buf, flags, (byte) 0, 0, 0, requestId, 0, 0, 4);
        return buf;
    }

    private ByteBuf response(ByteBufAllocator alloc, int requestId, RpcResponse response, int flags) {
        ByteBuf buf = alloc.buffer(256);
        try {
            buf.writeZero(HEADER_LENGTH);
            int metadataLength = writeMetadata(buf, response.metadata());
            byte serializerId;
            Status status = response.status();
            if (status.isOk()) {
                serializerId = writeBody(buf, response.payload(), "response");
            } else {
                serializerId = 0;
                String description = status.description();
                if (description != null) {
                    // Cap descriptions: an error message must never be the thing that breaks a limit.
                    ByteBufUtil.writeUtf8(
                            buf, description.length() > 8192 ? description.substring(0, 8192) : description);
                }
            }
            int bodyLength = buf.writerIndex() - HEADER_LENGTH - metadataLength;
            writeHeader(
                    buf,
                    FrameFlags.RESPONSE | flags,
                    serializerId,
                    status.code().value(),
                    0,
                    requestId,
                    0,
                    metadataLength,
                    bodyLength);
            return buf;
        } catch (RuntimeException | Error e) {
            buf.release();
            throw e;
        }
    }

    /** A heartbeat request ({@code response == false}) or its answer. */
    public static ByteBuf heartbeat(ByteBufAllocator alloc, int requestId, boolean response) {
        ByteBuf buf = alloc.buffer(HEADER_LENGTH);
        buf.writeZero(HEADER_LENGTH);
        writeHeader(
                buf, FrameFlags.HEARTBEAT | (response ? FrameFlags.RESPONSE : 0), (byte) 0, 0, 0, requestId, 0, 0, 0);
        return buf;
    }

    /**
     * The closing frame a server sends when it shuts down: {@code lastRequestId} is the last request
     * it accepted on the connection (later ones are not run), {@code reason} is for logs.
     */
    public static ByteBuf goAway(ByteBufAllocator alloc, int lastRequestId, String reason) {
        ByteBuf buf = alloc.buffer(HEADER_LENGTH + reason.length());
        buf.writeZero(HEADER_LENGTH);
        int bodyLength = ByteBufUtil.writeUtf8(buf, reason);
        writeHeader(buf, FrameFlags.GOAWAY | FrameFlags.RESPONSE, (byte) 0, 0, 0, lastRequestId, 0, 0, bodyLength);
        return buf;
    }

    /**
     * The frame a client sends to stop call {@code requestId}: the server runs it no further (if the
     * service code heeds its context) and sends no answer. {@code reason} is for the server's logs
     * and the service's context; it is cut to 1 KiB.
     */
    public static ByteBuf cancel(ByteBufAllocator alloc, int requestId, String reason) {
        String r = reason.length() > 1024 ? reason.substring(0, 1024) : reason;
        ByteBuf buf = alloc.buffer(HEADER_LENGTH + r.length());
        buf.writeZero(HEADER_LENGTH);
        int bodyLength = ByteBufUtil.writeUtf8(buf, r);
        writeHeader(buf, FrameFlags.CANCEL, (byte) 0, 0, 0, requestId, 0, 0, bodyLength);
        return buf;
    }

    /**
     * Protobuf knows its encoded size up front: check the limit before encoding, then write straight
     * into the frame's memory (no stream, no intermediate buffer).
     */
    private void writeProtobuf(ByteBuf buf, MessageLite message, String what) throws IOException {
        int size = message.getSerializedSize();
        if (size > maxMessageSize) {
            throw overLimit(what, size);
        }
        buf.ensureWritable(size);
        int index = buf.writerIndex();
        CodedOutputStream out = CodedOutputStream.newInstance(buf.nioBuffer(index, size));
        message.writeTo(out);
        out.flush();
        buf.writerIndex(index + size);
    }

    private RpcException overLimit(String what, int length) {
        return RpcException.of(Status.RESOURCE_EXHAUSTED.withDescription(what + " is " + length
                + " bytes, over the maxMessageSize of " + maxMessageSize + " bytes; raise maxMessageSize on both"
                + " sides or send less"));
    }

    private static void writeHeader(
            ByteBuf buf,
            int flags,
            byte serializerId,
            int status,
            int pathLength,
            int requestId,
            long timeoutMicros,
            int metadataLength,
            int bodyLength) {
        int i = buf.readerIndex();
        buf.setShort(i, MAGIC);
        buf.setByte(i + 2, VERSION);
        buf.setByte(i + 3, flags);
        buf.setByte(i + 4, serializerId);
        buf.setByte(i + 5, status);
        buf.setShort(i + 6, pathLength);
        buf.setInt(i + 8, requestId);
        buf.setInt(i + 12, (int) timeoutMicros);
        buf.setInt(i + 16, metadataLength);
        buf.setInt(i + 20, bodyLength);
    }

    private static long timeoutMicros(RpcRequest request) {
        if (request.deadline().isNone()) {
            return 0;
        }
        long micros = request.deadline().remainingNanos() / 1000;
        // 0 means "none" on the wire, so an expired deadline travels as 1 µs; the cap is ~71 minutes.
        return Math.max(1, Math.min(micros, 0xFFFF_FFFFL));
    }

    private int writeMetadata(ByteBuf buf, Metadata metadata) {
        int start = buf.writerIndex();
        for (int i = 0, n = metadata.size(); i < n; i++) {
            String key = metadata.key(i);
            buf.writeByte(key.length());
            buf.writeCharSequence(key, StandardCharsets.US_ASCII);
            int lengthIndex = buf.writerIndex();
            buf.writeShort(0);
            int valueLength = ByteBufUtil.writeUtf8(buf, metadata.value(i));
            if (valueLength > 0xFFFF) {
                throw RpcException.of(Status.INVALID_ARGUMENT.withDescription(
                        "metadata value of '" + key + "' is " + valueLength + " bytes (expected: <= 65535)"));
            }
            buf.setShort(lengthIndex, valueLength);
        }
        return buf.writerIndex() - start;
    }

    private byte writeBody(ByteBuf buf, Payload payload, String what) {
        int start = buf.writerIndex();
        byte id;
        if (payload instanceof Payload.Encoded encoded) {
            buf.writeBytes(encoded.bytes());
            id = encoded.serializerId();
        } else {
            Object message = ((Payload.OfMessage) payload).message();
            Serializer serializer;
            try {
                serializer = serializers.forType(message.getClass());
                if (serializer == ProtobufSerializer.INSTANCE) {
                    writeProtobuf(buf, (MessageLite) message, what);
                } else {
                    serializer.encode(message, new ByteBufOutputStream(buf));
                }
            } catch (RpcException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw RpcException.of(Status.INTERNAL
                        .withDescription("cannot serialize " + what + ": " + e.getMessage())
                        .withCause(e));
            }
            id = serializer.id();
        }
        int length = buf.writerIndex() - start;
        if (length > maxMessageSize) {
            throw overLimit(what, length);
        }
        return id;
    }
}
