package io.outrigger.core.internal.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;

/**
 * Feeds a byte stream to a {@link FrameDecoder} on an {@link EmbeddedChannel}, in chunks, and reports
 * what came out and whether the decoder stayed within its limits. Used by the fuzz tests.
 *
 * @param frames the frames decoded
 * @param oversized the frames discarded as over the limits
 * @param protocolError the protocol error that broke the stream, or {@code null}
 * @param unexpected any other exception (a bug), or {@code null}
 * @param maxBuffered the most bytes the decoder held between writes
 * @param violation a broken invariant (a decoded frame over the limits, buffering past them), or
 *     {@code null}
 * @param atFrameBoundary whether, after the last byte, the decoder waits for a new frame (rather than
 *     the rest of one, or the rest of an oversized frame to skip)
 */
public record DecoderRun(
        List<Frame> frames,
        int oversized,
        String protocolError,
        Throwable unexpected,
        int maxBuffered,
        String violation,
        boolean atFrameBoundary) {

    /** The most a decoder may hold: one frame at the limits, header and path included. */
    public static long bufferBound(ProtocolLimits limits) {
        return FrameEncoder.HEADER_LENGTH
                + (long) limits.maxMessageSize()
                + limits.maxMetadataSize()
                + ProtocolLimits.MAX_PATH_LENGTH;
    }

    /** Runs {@code bytes} through a new decoder, cut into random chunks drawn from {@code r}. */
    public static DecoderRun of(byte[] bytes, ProtocolLimits limits, SplittableRandom r) {
        return of(bytes, limits, left -> r.nextInt(4) == 0 ? left : 1 + r.nextInt(Math.min(left, 64)));
    }

    /** Runs {@code bytes} through a new decoder in one write. */
    public static DecoderRun whole(byte[] bytes, ProtocolLimits limits) {
        return of(bytes, limits, left -> left);
    }

    private static DecoderRun of(byte[] bytes, ProtocolLimits limits, IntUnaryOperator chunking) {
        FrameDecoder decoder = new FrameDecoder(limits);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        List<Frame> frames = new ArrayList<>();
        int oversized = 0;
        String protocolError = null;
        Throwable unexpected = null;
        int maxBuffered = 0;
        String violation = null;
        boolean atFrameBoundary = true;
        long bound = bufferBound(limits);
        try {
            int at = 0;
            while (at < bytes.length) {
                int n = chunking.applyAsInt(bytes.length - at);
                ByteBuf chunk = Unpooled.wrappedBuffer(bytes, at, n);
                at += n;
                try {
                    channel.writeInbound(chunk);
                } catch (DecoderException e) {
                    if (e.getCause() instanceof ProtocolException p && protocolError == null) {
                        protocolError = p.getMessage();
                    } else if (unexpected == null) {
                        unexpected = e;
                    }
                } catch (RuntimeException | Error e) {
                    if (unexpected == null) {
                        unexpected = e;
                    }
                }
                int buffered = decoder.buffered();
                maxBuffered = Math.max(maxBuffered, buffered);
                if (buffered > bound && violation == null) {
                    violation = "decoder holds " + buffered + " bytes, over the bound of " + bound;
                }
                for (Object msg; (msg = channel.readInbound()) != null; ) {
                    if (msg instanceof Frame f) {
                        frames.add(f);
                        String v = check(f, limits);
                        if (v != null && violation == null) {
                            violation = v;
                        }
                    } else if (msg instanceof OversizedFrame) {
                        oversized++;
                    } else if (violation == null) {
                        violation = "decoder emitted a " + msg.getClass().getName();
                    }
                }
            }
            atFrameBoundary = decoder.buffered() == 0 && decoder.discarding() == 0;
        } finally {
            try {
                channel.finishAndReleaseAll();
            } catch (DecoderException e) {
                if (!(e.getCause() instanceof ProtocolException) && unexpected == null) {
                    unexpected = e;
                }
            } catch (RuntimeException e) {
                if (unexpected == null) {
                    unexpected = e;
                }
            }
        }
        return new DecoderRun(
                List.copyOf(frames), oversized, protocolError, unexpected, maxBuffered, violation, atFrameBoundary);
    }

    private static String check(Frame f, ProtocolLimits limits) {
        if (f.body().length > limits.maxMessageSize()) {
            return "a decoded body of " + f.body().length + " bytes, over maxMessageSize " + limits.maxMessageSize();
        }
        int path = f.service().isEmpty() ? 0 : (f.service() + "/" + f.method()).getBytes(StandardCharsets.UTF_8).length;
        if (path > ProtocolLimits.MAX_PATH_LENGTH * 3) { // replacement characters may grow invalid UTF-8
            return "a decoded path of " + path + " bytes";
        }
        int metadata = 0;
        for (int i = 0; i < f.metadata().size(); i++) {
            metadata += 3 + f.metadata().key(i).length() + f.metadata().value(i).length();
        }
        if (metadata > limits.maxMetadataSize()) {
            return "decoded metadata of " + metadata + " characters, over maxMetadataSize " + limits.maxMetadataSize();
        }
        return null;
    }
}
