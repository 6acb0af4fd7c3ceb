package io.outrigger.benchmarks.netty;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.io.IOException;

/**
 * The raw-Netty wire format: a 4-byte length, then a 4-byte call id, then (requests only) a
 * 1-byte {@link io.outrigger.benchmarks.Workload} ordinal, then the protobuf message.
 *
 * <p>The least an RPC needs: framing, correlation and a method selector; no headers, no deadlines,
 * no status. That makes it the ceiling the other targets are compared with.
 */
final class Frames {

    static final int MAX_FRAME = 16 * 1024 * 1024;

    private Frames() {}

    /** Splits the stream into frames and strips the length prefix. */
    static LengthFieldBasedFrameDecoder decoder() {
        return new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, 4, 0, 4);
    }

    /** Encodes a request frame. */
    static ByteBuf request(ByteBufAllocator alloc, int callId, int workload, MessageLite message) {
        return encode(alloc, callId, workload, message);
    }

    /** Encodes a response frame. */
    static ByteBuf response(ByteBufAllocator alloc, int callId, MessageLite message) {
        return encode(alloc, callId, -1, message);
    }

    private static ByteBuf encode(ByteBufAllocator alloc, int callId, int workload, MessageLite message) {
        int size = message.getSerializedSize();
        int header = workload >= 0 ? 9 : 8;
        ByteBuf buf = alloc.buffer(header + size);
        try {
            buf.writeInt(header - 4 + size).writeInt(callId);
            if (workload >= 0) {
                buf.writeByte(workload);
            }
            // Serialize straight into the (usually direct) buffer: no intermediate byte[].
            CodedOutputStream out = CodedOutputStream.newInstance(buf.nioBuffer(buf.writerIndex(), size));
            message.writeTo(out);
            out.checkNoSpaceLeft();
            buf.writerIndex(buf.writerIndex() + size);
            return buf;
        } catch (IOException | RuntimeException e) {
            buf.release();
            throw new IllegalStateException(
                    "cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    /** A protobuf input over the readable bytes of {@code frame}, without copying them. */
    static CodedInputStream input(ByteBuf frame) {
        return CodedInputStream.newInstance(frame.nioBuffer());
    }
}
