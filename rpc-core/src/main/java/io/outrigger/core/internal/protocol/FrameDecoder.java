package io.outrigger.core.internal.protocol;

import static io.outrigger.core.internal.protocol.FrameEncoder.HEADER_LENGTH;
import static io.outrigger.core.internal.protocol.FrameEncoder.MAGIC;
import static io.outrigger.core.internal.protocol.FrameEncoder.VERSION;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.outrigger.core.Metadata;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits the byte stream into {@link Frame}s (layout in {@code docs/protocol.md}).
 *
 * <p>Every length is checked against {@link ProtocolLimits} from the 24-byte header, before anything
 * is allocated or buffered: a frame over the limits is discarded as it streams in and reported as an
 * {@link OversizedFrame} (the connection survives); a frame that breaks the protocol raises a {@link
 * ProtocolException} and the decoder ignores everything after it (the handler closes the
 * connection). Frames hold only plain Java objects: no buffer outlives {@link #decode}.
 *
 * <p>Not sharable: one instance per channel.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

    private final ProtocolLimits limits;
    private long discardRemaining;
    private boolean broken;
    /** Bytes are held back because reading is paused: asking for more would only grow the buffer. */
    private boolean holding;
    /** Set by back-pressure: hand on no more frames until {@link #resume} (event loop only). */
    private boolean paused;

    public FrameDecoder(ProtocolLimits limits) {
        this.limits = limits;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (discardRemaining > 0) {
            int n = (int) Math.min(discardRemaining, in.readableBytes());
            in.skipBytes(n);
            discardRemaining -= n;
            if (discardRemaining > 0) {
                return;
            }
        }
        // One frame per call: the base class hands each frame on before asking for the next, so a
        // handler that pauses the decoder (back-pressure) stops it at once; the bytes already read
        // wait here until resume() (not as decoded frames, nor as calls already started).
        if (in.readableBytes() >= HEADER_LENGTH) {
            holding = paused;
            if (holding) {
                return;
            }
            Object frame;
            try {
                frame = decodeOne(in);
            } catch (ProtocolException e) {
                broken = true;
                in.skipBytes(in.readableBytes());
                throw e;
            }
            if (frame == null) {
                return;
            }
            out.add(frame);
            if (discardRemaining > 0) {
                int n = (int) Math.min(discardRemaining, in.readableBytes());
                in.skipBytes(n);
                discardRemaining -= n;
                if (discardRemaining > 0) {
                    return;
                }
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (holding) {
            // The base class would ask for another read when it handed nothing on while autoRead is
            // off (it assumes a frame still incomplete): that would read on into the buffer.
            discardSomeReadBytes();
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    /** Stops handing on frames (the bytes already read are kept). On the event loop. */
    public void pause() {
        paused = true;
    }

    /**
     * Hands on the frames held back while paused, until it is paused again or has no whole frame
     * left (no new bytes may ever come to trigger it: the peer may be waiting for answers). On the
     * event loop, outside any {@code channelRead}.
     */
    public void resume(ChannelPipeline pipeline) {
        paused = false;
        if (!holding) {
            return;
        }
        holding = false;
        ChannelHandlerContext ctx = pipeline.context(this);
        if (ctx != null) {
            try {
                channelRead(ctx, Unpooled.EMPTY_BUFFER);
            } catch (Exception e) {
                ctx.fireExceptionCaught(e);
            }
        }
    }

    /** Bytes received and held for a frame not yet complete (for tests of the limits). */
    int buffered() {
        return actualReadableBytes();
    }

    /** Bytes of an oversized frame still to be skipped as they arrive (for tests). */
    long discarding() {
        return discardRemaining;
    }

    /** One frame, an {@link OversizedFrame}, or {@code null} when more bytes are needed. */
    private Object decodeOne(ByteBuf in) {
        int start = in.readerIndex();
        int magic = in.getUnsignedShort(start);
        if (magic != MAGIC) {
            // 0x16 0x03: a TLS handshake record, i.e. a TLS client talking to a plaintext endpoint.
            String hint = (magic & 0xFF00) == 0x1600 && (magic & 0xFF) == 0x03
                    ? ": a TLS handshake; the peer uses TLS and this side is not configured for it"
                    : ": not an Outrigger peer, or a corrupt stream";
            throw new ProtocolException(String.format(
                    "bad magic 0x%04x where a frame should start (expected 0x%04x)%s", magic, MAGIC, hint));
        }
        int version = in.getUnsignedByte(start + 2);
        if (version != VERSION) {
            throw new ProtocolException(
                    "unsupported protocol version " + version + " (this side speaks version " + VERSION + ")");
        }
        int flags = in.getUnsignedByte(start + 3);
        if ((flags & FrameFlags.RESERVED) != 0) {
            throw new ProtocolException(
                    String.format("unknown flag bits 0x%02x in flags 0x%02x", flags & FrameFlags.RESERVED, flags));
        }
        byte serializerId = in.getByte(start + 4);
        int status = in.getUnsignedByte(start + 5);
        int pathLength = in.getUnsignedShort(start + 6);
        int requestId = in.getInt(start + 8);
        long timeoutMicros = in.getUnsignedInt(start + 12);
        long metadataLength = in.getUnsignedInt(start + 16);
        long bodyLength = in.getUnsignedInt(start + 20);
        long rest = pathLength + metadataLength + bodyLength;

        boolean response = (flags & FrameFlags.RESPONSE) != 0;
        boolean control = (flags & (FrameFlags.HEARTBEAT | FrameFlags.GOAWAY | FrameFlags.CANCEL)) != 0;
        if ((flags & FrameFlags.CANCEL) != 0 && (response || requestId == 0 || metadataLength != 0)) {
            throw new ProtocolException(String.format(
                    "a CANCEL frame must name a request (id %d) and carry neither the RESPONSE flag nor metadata"
                            + " (flags 0x%02x, metadata %d bytes)",
                    requestId, flags, metadataLength));
        }
        boolean stream = (flags & FrameFlags.STREAM) != 0;
        if ((flags & (FrameFlags.END | FrameFlags.WINDOW)) != 0 && !stream) {
            throw new ProtocolException(
                    String.format("flags 0x%02x: END and WINDOW belong to stream frames (STREAM 0x20 clear)", flags));
        }
        if (stream) {
            checkStreamFrame(flags, control, response, requestId, pathLength, serializerId, metadataLength, bodyLength);
        }
        if (pathLength > ProtocolLimits.MAX_PATH_LENGTH) {
            throw new ProtocolException(
                    "service/method path of " + pathLength + " bytes (limit " + ProtocolLimits.MAX_PATH_LENGTH + ")");
        }
        if (!response && !control && !stream && pathLength == 0) {
            throw new ProtocolException("request " + requestId + " has no service/method path");
        }
        if (!response && !control && requestId == 0) {
            // Id 0 names no call: a closing frame's "last accepted 0" must mean "none was run".
            throw new ProtocolException("a request with id 0 (reserved for connection-level frames)");
        }
        if ((response || control) && pathLength != 0) {
            throw new ProtocolException("a response or control frame carries a path of " + pathLength + " bytes");
        }
        if (rest > limits.maxDiscardBytes()) {
            throw new ProtocolException("frame declares " + rest + " bytes after its header, far over the limits"
                    + " (maxMessageSize " + limits.maxMessageSize() + ", maxMetadataSize "
                    + limits.maxMetadataSize() + ")");
        }
        if (metadataLength > limits.maxMetadataSize() || bodyLength > limits.maxMessageSize()) {
            in.skipBytes(HEADER_LENGTH);
            discardRemaining = rest;
            String reason = bodyLength > limits.maxMessageSize()
                    ? (response ? "response" : "request") + " message of " + bodyLength
                            + " bytes exceeds the maxMessageSize of " + limits.maxMessageSize() + " bytes"
                    : "metadata of " + metadataLength + " bytes exceeds the maxMetadataSize of "
                            + limits.maxMetadataSize() + " bytes";
            return new OversizedFrame(flags, requestId, reason);
        }
        if (in.readableBytes() < HEADER_LENGTH + rest) {
            return null;
        }

        in.skipBytes(HEADER_LENGTH);
        String service = "";
        String method = "";
        if (pathLength > 0) {
            String path =
                    in.readCharSequence(pathLength, StandardCharsets.UTF_8).toString();
            int slash = path.lastIndexOf('/');
            if (slash <= 0 || slash == path.length() - 1) {
                throw new ProtocolException("request path \"" + PeerText.safe(path) + "\" is not service/method");
            }
            service = path.substring(0, slash);
            method = path.substring(slash + 1);
        }
        Metadata metadata = readMetadata(in, (int) metadataLength);
        byte[] body = new byte[(int) bodyLength];
        in.readBytes(body);
        if ((flags & FrameFlags.WINDOW) != 0 && (body[0] & 0x80) != 0 | (body[0] | body[1] | body[2] | body[3]) == 0) {
            throw new ProtocolException("a WINDOW frame of stream " + requestId
                    + " grants 0 or over 2^31-1 messages (expected: 1..2147483647)");
        }
        return new Frame(flags, serializerId, status, requestId, timeoutMicros, service, method, metadata, body);
    }

    /** The rules of stream frames beyond those of every frame (docs/protocol.md, Streams). */
    private static void checkStreamFrame(
            int flags,
            boolean control,
            boolean response,
            int requestId,
            int pathLength,
            byte serializerId,
            long metadataLength,
            long bodyLength) {
        if (control) {
            throw new ProtocolException(
                    String.format("flags 0x%02x: a stream frame cannot also be a heartbeat, GOAWAY or CANCEL", flags));
        }
        if (requestId == 0) {
            throw new ProtocolException("a stream frame with id 0 (reserved for connection-level frames)");
        }
        if ((flags & FrameFlags.WINDOW) != 0) {
            if ((flags & FrameFlags.END) != 0
                    || pathLength != 0
                    || serializerId != 0
                    || metadataLength != 0
                    || bodyLength != 4) {
                throw new ProtocolException(String.format(
                        "a WINDOW frame of stream %d must carry exactly a 4-byte count, without path, metadata,"
                                + " serializer or END (flags 0x%02x, serializer %d, metadata %d bytes, body %d bytes)",
                        requestId, flags, serializerId, metadataLength, bodyLength));
            }
            return;
        }
        boolean end = (flags & FrameFlags.END) != 0;
        if (pathLength == 0 && metadataLength != 0 && !(response && end)) {
            throw new ProtocolException("a message frame of stream " + requestId
                    + " carries metadata: only the frame that opens a stream and the server's end may");
        }
        if (pathLength == 0 && serializerId == 0 && !end) {
            throw new ProtocolException(
                    "a frame of stream " + requestId + " carries neither a message (serializer 0) nor END nor WINDOW");
        }
    }

    private static Metadata readMetadata(ByteBuf in, int length) {
        if (length == 0) {
            return Metadata.empty();
        }
        int end = in.readerIndex() + length;
        String[] entries = new String[8];
        int n = 0;
        while (in.readerIndex() < end) {
            if (end - in.readerIndex() < 1) {
                break;
            }
            int keyLength = in.readUnsignedByte();
            if (keyLength == 0 || in.readerIndex() + keyLength + 2 > end) {
                throw new ProtocolException("metadata entry overruns the declared metadata length of " + length);
            }
            String key =
                    in.readCharSequence(keyLength, StandardCharsets.US_ASCII).toString();
            int valueLength = in.readUnsignedShort();
            if (in.readerIndex() + valueLength > end) {
                throw new ProtocolException(
                        "metadata value of '" + PeerText.safe(key) + "' overruns the declared metadata length");
            }
            String value =
                    in.readCharSequence(valueLength, StandardCharsets.UTF_8).toString();
            if (n + 2 > entries.length) {
                entries = java.util.Arrays.copyOf(entries, entries.length * 2);
            }
            entries[n++] = key;
            entries[n++] = value;
        }
        try {
            return Metadata.ofEntries(java.util.Arrays.copyOf(entries, n));
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("invalid metadata: " + PeerText.safe(e.getMessage()));
        }
    }
}
