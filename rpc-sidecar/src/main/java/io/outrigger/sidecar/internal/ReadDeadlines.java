package io.outrigger.sidecar.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The deadlines a peer's bytes must meet on one HTTP connection, so that a peer sending slowly on
 * purpose (slowloris) cannot hold connections open:
 *
 * <ul>
 *   <li>a request's headers must be complete within {@code headerTimeout} of its first byte. A
 *       keep-alive connection idle between requests has no such deadline (the idle timeout closes
 *       it); the first byte of a request is that of the first read after the previous request ended
 *       (a pipelined request that began in the same read as the end of the one before is timed from
 *       the next read);
 *   <li>HTTP/1.1: once {@code grace} has passed since the end of its headers, a request body must
 *       bring at least {@code minBodyRate} bytes each second (checked once a second by a timer of
 *       the event loop, not per byte); HTTP/2 bodies are timed per stream by {@link Http2Exchanges};
 *   <li>HTTP/2: the connection preface and the client's first {@code SETTINGS} within {@code
 *       headerTimeout} of the first byte; then every frame whole within {@code headerTimeout} of its
 *       first byte, and every header block ({@code HEADERS} and its {@code CONTINUATION}s) likewise,
 *       so a header block trickled a frame at a time cannot hold the connection either.
 * </ul>
 *
 * Time during which the endpoint itself is not reading (back-pressure turned {@code autoRead} off)
 * does not count against the peer: its bytes then wait in the kernel, unread by us; a deadline that
 * falls then starts again.
 *
 * <p>Its handlers sit in the pipeline: {@link #bytes()} first (before the protocol is known, so it
 * times the first bytes too), {@link #http1Messages()} behind the HTTP/1.1 decoder (it sees where
 * headers and requests end), {@link #http2Frames()} in front of the HTTP/2 handler (it reads frame
 * headers as they pass, without consuming anything). A read that brings a whole request costs one
 * {@code System.nanoTime()} and no timer; the timer is armed only while a request is unfinished
 * after a read, and is re-armed lazily when it fires early. When a deadline passes, the reason goes
 * to the log ({@link ConnectionCloses}) and to the protocol's handler ({@link #onExpiry}), which
 * answers what it can and closes the connection.
 *
 * <p>Threads: everything runs on the connection's event loop.
 */
final class ReadDeadlines {

    private static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int PREFACE_LENGTH = 24;
    private static final int FRAME_HEADER_LENGTH = 9;
    private static final byte TYPE_HEADERS = 0x1;
    private static final byte TYPE_SETTINGS = 0x4;
    private static final byte TYPE_CONTINUATION = 0x9;
    private static final byte FLAG_END_HEADERS = 0x4;

    private enum Mode {
        UNDECIDED,
        HTTP1,
        HTTP2
    }

    private enum Phase {
        IDLE,
        HEADERS,
        BODY
    }

    private final Channel channel;
    private final long headerTimeoutNanos;
    private final long graceNanos;
    private final int minBodyRate;
    private final ConnectionCloses closes;
    private Consumer<String> expiry;
    private Mode mode = Mode.UNDECIDED;
    private boolean expired;
    /** When the read being handled began. */
    private long now;

    // HTTP/1.1, and the first bytes before the protocol is known.
    private Phase phase = Phase.IDLE;
    private long phaseStart;
    private long bodyBytes;
    /** When the body's rate is next checked; during the grace, the end of the grace. */
    private long nextBodyCheck;
    /** Whether the grace is over: the rate is then measured from {@code windowStart}. */
    private boolean windowOpen;

    private long windowStart;
    private long windowBytes;

    // HTTP/2 frame headers, read as the bytes pass.
    private long setupStart;
    private boolean settingsSeen;
    private int prefaceLeft = PREFACE_LENGTH;
    private final byte[] frameHeader = new byte[FRAME_HEADER_LENGTH];
    private int frameHeaderHave;
    private int payloadLeft;
    private boolean frameOpen;
    private long frameStart;
    private byte frameType;
    private byte frameFlags;
    private boolean blockOpen;
    private long blockStart;

    private ScheduledFuture<?> timer;
    private long timerAt;

    /**
     * @param minBodyRate bytes per second; 0: no minimum
     */
    ReadDeadlines(Channel channel, long headerTimeoutNanos, int minBodyRate, long graceNanos, ConnectionCloses closes) {
        this.channel = channel;
        this.headerTimeoutNanos = headerTimeoutNanos;
        this.minBodyRate = minBodyRate;
        this.graceNanos = graceNanos;
        this.closes = closes;
        this.expiry = reason -> channel.close();
    }

    /** What to do when a deadline passes (after it is logged): answer if the protocol can, and close. */
    void onExpiry(Consumer<String> expiry) {
        this.expiry = expiry;
    }

    /** The connection speaks HTTP/1.1. */
    void http1() {
        mode = Mode.HTTP1;
    }

    /** The connection speaks HTTP/2: from here on {@link #http2Frames()} times it, from its first byte. */
    void http2() {
        mode = Mode.HTTP2;
        setupStart = phase == Phase.IDLE ? now : phaseStart;
        phase = Phase.IDLE;
    }

    /** The first handler of the connection: notes when bytes arrive, and arms the timer after each read. */
    ChannelInboundHandlerAdapter bytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf buf && buf.isReadable() && !expired) {
                    now = System.nanoTime();
                    if (mode != Mode.HTTP2) {
                        if (phase == Phase.IDLE) {
                            phase = Phase.HEADERS;
                            phaseStart = now;
                        } else if (phase == Phase.BODY) {
                            bodyBytes += buf.readableBytes();
                        }
                    }
                }
                ctx.fireChannelRead(msg);
                if (!expired) {
                    arm();
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                expired = true; // nothing more to time
                if (timer != null) {
                    timer.cancel(false);
                    timer = null;
                }
                ctx.fireChannelInactive();
            }
        };
    }

    /** Behind the HTTP/1.1 decoder: a request's headers ended, or the request did. */
    ChannelInboundHandlerAdapter http1Messages() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) { // a request that failed to decode is one too (and closes)
                    phase = Phase.BODY;
                    bodyBytes = 0;
                    windowOpen = false;
                    nextBodyCheck = now + graceNanos;
                }
                if (msg instanceof LastHttpContent) {
                    phase = Phase.IDLE;
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    /** In front of the HTTP/2 handler: reads the preface and the frame headers as they pass. */
    ChannelInboundHandlerAdapter http2Frames() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ByteBuf buf) {
                    frames(buf);
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private void frames(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        if (prefaceLeft > 0) {
            int n = Math.min(prefaceLeft, end - i);
            prefaceLeft -= n;
            i += n;
        }
        while (i < end) {
            if (payloadLeft > 0) {
                int n = Math.min(payloadLeft, end - i);
                payloadLeft -= n;
                i += n;
                if (payloadLeft == 0) {
                    frameEnded();
                }
                continue;
            }
            if (frameHeaderHave == 0) {
                frameOpen = true;
                frameStart = now;
            }
            while (frameHeaderHave < FRAME_HEADER_LENGTH && i < end) {
                frameHeader[frameHeaderHave++] = buf.getByte(i++);
            }
            if (frameHeaderHave == FRAME_HEADER_LENGTH) {
                frameHeaderHave = 0;
                payloadLeft = (frameHeader[0] & 0xff) << 16 | (frameHeader[1] & 0xff) << 8 | frameHeader[2] & 0xff;
                frameType = frameHeader[3];
                frameFlags = frameHeader[4];
                if (payloadLeft == 0) {
                    frameEnded();
                }
            }
        }
    }

    private void frameEnded() {
        frameOpen = false;
        if (frameType == TYPE_SETTINGS) {
            settingsSeen = true; // the first frame must be SETTINGS; the HTTP/2 handler enforces that
        } else if (frameType == TYPE_HEADERS && (frameFlags & FLAG_END_HEADERS) == 0) {
            blockOpen = true;
            blockStart = frameStart;
        } else if (frameType == TYPE_CONTINUATION && (frameFlags & FLAG_END_HEADERS) != 0) {
            blockOpen = false;
        }
    }

    /** The earliest deadline now running, or {@code Long.MAX_VALUE}. */
    private long deadline() {
        if (mode == Mode.HTTP2) {
            long d = Long.MAX_VALUE;
            if (!settingsSeen) {
                d = setupStart + headerTimeoutNanos;
            }
            if (frameOpen) {
                d = Math.min(d, frameStart + headerTimeoutNanos);
            }
            if (blockOpen) {
                d = Math.min(d, blockStart + headerTimeoutNanos);
            }
            return d;
        }
        return switch (phase) {
            case IDLE -> Long.MAX_VALUE;
            case HEADERS -> phaseStart + headerTimeoutNanos;
            case BODY -> minBodyRate > 0 ? nextBodyCheck : Long.MAX_VALUE;
        };
    }

    private void arm() {
        long d = deadline();
        if (d == Long.MAX_VALUE || (timer != null && timerAt <= d)) {
            return; // nothing to time, or the timer fires first and re-arms then
        }
        if (timer != null) {
            timer.cancel(false);
        }
        timerAt = d;
        timer = channel.eventLoop().schedule(this::fire, Math.max(0, d - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void fire() {
        timer = null;
        if (expired || !channel.isActive()) {
            return;
        }
        now = System.nanoTime();
        if (!channel.config().isAutoRead()) {
            restart(); // we are not reading: the peer's bytes wait for us, not the other way round
            arm();
            return;
        }
        if (deadline() - now > 0) {
            arm();
            return;
        }
        String reason = expiredReason();
        if (reason == null) {
            arm();
            return;
        }
        expired = true;
        closes.closing(channel, reason);
        expiry.accept(reason);
    }

    /** Why the deadline that passed closes the connection, or {@code null} if the body keeps up. */
    private String expiredReason() {
        long timeoutMillis = TimeUnit.NANOSECONDS.toMillis(headerTimeoutNanos);
        if (mode == Mode.HTTP2) {
            if (!settingsSeen && now - (setupStart + headerTimeoutNanos) >= 0) {
                return "HTTP/2 connection preface and SETTINGS not complete within " + timeoutMillis
                        + " ms (--header-timeout-ms)";
            }
            if (blockOpen && now - (blockStart + headerTimeoutNanos) >= 0) {
                return "HTTP/2 header block not complete within " + timeoutMillis + " ms (--header-timeout-ms)";
            }
            return "HTTP/2 frame not complete within " + timeoutMillis + " ms of its first byte (--header-timeout-ms)";
        }
        if (phase == Phase.HEADERS) {
            return (mode == Mode.UNDECIDED ? "request headers (or HTTP/2 preface)" : "request headers")
                    + " not complete within " + timeoutMillis + " ms (--header-timeout-ms)";
        }
        if (!windowOpen) { // the grace is over: the rate is measured from now on
            windowOpen = true;
            windowStart = now;
            windowBytes = bodyBytes;
            nextBodyCheck = now + CHECK_NANOS;
            return null;
        }
        long elapsed = now - windowStart;
        long received = bodyBytes - windowBytes;
        if (received * TimeUnit.SECONDS.toNanos(1) < (long) minBodyRate * elapsed) {
            return "request body slower than " + minBodyRate + " bytes/s (--min-body-rate): " + received
                    + " bytes in the last " + TimeUnit.NANOSECONDS.toMillis(elapsed) + " ms";
        }
        windowStart = now;
        windowBytes = bodyBytes;
        nextBodyCheck = now + CHECK_NANOS;
        return null;
    }

    /** Every running deadline starts again from now. */
    private void restart() {
        phaseStart = now;
        setupStart = now;
        frameStart = now;
        blockStart = now;
        if (windowOpen) {
            windowStart = now;
            windowBytes = bodyBytes;
            nextBodyCheck = now + CHECK_NANOS;
        } else {
            nextBodyCheck = now + graceNanos;
        }
    }
}
