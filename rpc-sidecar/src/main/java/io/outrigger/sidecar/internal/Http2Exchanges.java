package io.outrigger.sidecar.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsciiString;
import io.outrigger.core.Status;
import io.outrigger.core.internal.transport.ReadGate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP endpoint's HTTP/2 side (h2c with prior knowledge): one handler per connection, on the
 * connection's event loop, that reads each stream's request (headers, then body) and answers it
 * through the same {@link HttpRoutes} as HTTP/1.1, so both protocols share paths, status mapping,
 * headers (lower-cased, as HTTP/2 requires), the JSON error shape, the body limit and the token
 * check.
 *
 * <p>Streams are not child channels: a request is a few fields kept on its {@link Http2Stream}, and
 * its answer is written on the connection. Answers completed during a read batch are flushed at its
 * end (by {@link Http2ConnectionHandler#channelReadComplete}); answers completed elsewhere on the
 * loop (the usual case: a provider's reply read on the same loop) are flushed once per turn of the
 * loop, so the replies of a batch read from providers leave in one write.
 *
 * <p>Limits: {@value #MAX_CONCURRENT_STREAMS} concurrent streams, a header list of {@value
 * #MAX_HEADER_LIST_BYTES} bytes (larger: 431), and the body limit ({@code --max-body-bytes}): a
 * {@code content-length} or a body over it is answered 413 with the JSON error shape, and the rest
 * of the stream is reset with {@code NO_ERROR}. The bodies of the requests a connection has not
 * finished sending may hold {@link #maxBufferedBytes} bytes together (four bodies at the limit, at
 * least 16 MiB); a body that would go over is answered 503 {@code RESOURCE_EXHAUSTED}, so one
 * connection cannot make the sidecar hold 1000 bodies at the limit. A malformed frame resets its
 * stream or, for a connection error, sends GOAWAY and closes that connection only.
 *
 * <p>Back-pressure and slow peers: a {@link ReadGate} stops reading while {@value
 * #MAX_STREAMS_IN_FLIGHT} requests are with the routes unanswered, or while the connection is not
 * writable (the peer does not read its answers). The answers written whose writes have not
 * completed are counted, wherever they wait: in the channel's outbound buffer, or in HTTP/2's
 * remote flow controller for a client that never opens its windows; past {@link
 * HttpEndpoint.Limits#maxQueuedBytes} the connection gets {@code GOAWAY(ENHANCE_YOUR_CALM)} and is
 * closed, with a log line. A request body slower than {@code --min-body-rate} once {@code
 * --body-rate-grace-ms} has passed (checked per stream, once a second) closes the connection the
 * same way; {@link ReadDeadlines} times the preface, frames and header blocks.
 */
final class Http2Exchanges extends Http2ConnectionHandler {

    private static final Logger log = LoggerFactory.getLogger(Http2Exchanges.class);

    static final int MAX_CONCURRENT_STREAMS = 1000;
    static final int MAX_HEADER_LIST_BYTES = 16 * 1024;
    /**
     * Receive windows: bodies are copied out as they come and their bytes returned at once, so the
     * windows bound what is in flight on the wire, not memory; HTTP/2's 64 KiB default would make a
     * client with many calls in flight wait for WINDOW_UPDATEs.
     */
    static final int STREAM_WINDOW_BYTES = 1024 * 1024;

    static final int CONNECTION_WINDOW_BYTES = 16 * 1024 * 1024;

    /**
     * Requests handed to the routes and not yet answered past which the connection stops reading. A
     * multiplexing client keeps all its calls on one connection (the benchmarks keep 128 in
     * flight), so more than HTTP/1.1's 64; the requests beyond wait in the kernel, unread.
     */
    static final int MAX_STREAMS_IN_FLIGHT = 256;

    private static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final AsciiString STATUS_HEADER =
            AsciiString.cached(HeaderMapping.STATUS_HEADER.toLowerCase(Locale.ROOT));
    private static final AsciiString[] STATUS_VALUES = Arrays.stream(Status.Code.values())
            .map(code -> AsciiString.cached(code.name()))
            .toArray(AsciiString[]::new);
    private static final AsciiString CONTENT_TYPE = AsciiString.cached("content-type");
    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");

    /** A request being read: its headers, and its body so far. */
    private static final class Exchange {
        final Http2Headers headers;
        byte[] body;
        int size;
        /** Answered before the request ended (413): what else comes on the stream is dropped. */
        boolean answered;

        /** When the headers ended; the body's rate is measured from {@code windowStart} once the grace is over. */
        final long start = System.nanoTime();

        long windowStart;
        int windowSize;
        boolean windowOpen;

        Exchange(Http2Headers headers, int expectedLength) {
            this.headers = headers;
            // A declared length is believed only up to 64 KiB: a client may declare and not send.
            this.body = new byte[Math.min(Math.max(expectedLength, 0), 64 * 1024)];
        }

        /** Whether this body counts towards the connection's buffered bytes (not yet handed on or dropped). */
        boolean counted = true;

        void append(ByteBuf data) {
            int n = data.readableBytes();
            if (size + n > body.length) {
                body = Arrays.copyOf(body, Math.max(size + n, body.length * 2));
            }
            data.getBytes(data.readerIndex(), body, size, n);
            size += n;
        }

        byte[] bytes() {
            return size == body.length ? body : Arrays.copyOf(body, size);
        }
    }

    private final HttpRoutes routes;
    private final int maxBodyBytes;
    private final int minBodyRate;
    private final long graceNanos;
    private final long maxQueuedBytes;
    private final ConnectionCloses closes;
    private final long maxBufferedBytes;
    /** The bytes of bodies of requests not yet complete (and not refused) on this connection. */
    private long bufferedBytes;

    private final Http2Connection.PropertyKey exchangeKey;
    private final Runnable flushTask;
    private ChannelHandlerContext ctx;
    private ReadGate gate;
    private boolean inReadBatch;
    private boolean flushScheduled;
    /** The bytes of answers written whose writes have not completed (flow controller and outbound buffer). */
    private long unwrittenAnswerBytes;

    private boolean bodyCheckScheduled;
    private boolean aborted;
    /** The gate is closed: complete requests wait in {@link #held}. */
    private boolean paused;

    private record Held(int streamId, Exchange exchange) {}

    private final ArrayDeque<Held> held = new ArrayDeque<>();

    private Http2Exchanges(
            Http2ConnectionDecoder decoder,
            Http2ConnectionEncoder encoder,
            Http2Settings settings,
            HttpRoutes routes,
            HttpEndpoint.Limits limits,
            ConnectionCloses closes) {
        super(decoder, encoder, settings);
        this.routes = routes;
        this.maxBodyBytes = limits.maxBodyBytes();
        this.minBodyRate = limits.minBodyRate();
        this.graceNanos = limits.bodyRateGrace().toNanos();
        this.maxQueuedBytes = limits.maxQueuedBytes();
        this.closes = closes;
        this.maxBufferedBytes = Math.max(4L * maxBodyBytes, 16L * 1024 * 1024);
        this.exchangeKey = connection().newKey();
        // A stream the client resets or that ends otherwise gives its buffered body back.
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                Exchange exchange = stream.getProperty(exchangeKey);
                if (exchange != null) {
                    release(exchange);
                }
            }
        });
        this.flushTask = () -> {
            flushScheduled = false;
            flush(ctx);
            checkQueued();
        };
    }

    /** A handler for one new connection. */
    static Http2Exchanges create(HttpRoutes routes, HttpEndpoint.Limits limits, ConnectionCloses closes) {
        return new Builder(routes, limits, closes).build();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        this.gate = new ReadGate(
                ctx.channel(),
                "HTTP/2 connection from " + ConnectionCloses.peer(ctx.channel()),
                MAX_STREAMS_IN_FLIGHT,
                maxQueuedBytes,
                () -> paused = true,
                this::resumeHeld);
        super.handlerAdded(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        gate.writabilityChanged();
        super.channelWritabilityChanged(ctx); // the flow controller writes again when writable
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        inReadBatch = true;
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        inReadBatch = false;
        super.channelReadComplete(ctx); // flushes
        checkQueued();
    }

    /**
     * Closes the connection if the answers waiting for it passed the cap: those counted as written
     * but not yet out, or, if more, what the channel's outbound buffer holds.
     */
    private void checkQueued() {
        if (aborted) {
            return;
        }
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        long queued = Math.max(unwrittenAnswerBytes, buffer == null ? 0 : buffer.totalPendingWriteBytes());
        if (queued <= maxQueuedBytes) {
            return;
        }
        log.warn(
                "closing HTTP/2 connection from {}: {} bytes of answers queued, over the cap of {} bytes per"
                        + " connection; the peer is not reading its answers (or not opening its flow-control"
                        + " windows)",
                ConnectionCloses.peer(ctx.channel()),
                queued,
                maxQueuedBytes);
        abort("answers not read");
    }

    /** A deadline of {@link ReadDeadlines} passed (already logged): GOAWAY, and close. */
    void expire(String reason) {
        if (ctx != null) {
            abort(reason);
        }
    }

    /**
     * Sends {@code GOAWAY(ENHANCE_YOUR_CALM)} with {@code reason} as its debug data and closes at
     * once: not Netty's graceful close, which waits for the GOAWAY to be written or the streams to
     * end, neither of which a peer that stopped reading lets happen.
     */
    private void abort(String reason) {
        if (aborted || !ctx.channel().isActive()) {
            return;
        }
        aborted = true;
        goAway(
                ctx,
                connection().remote().lastStreamCreated(),
                Http2Error.ENHANCE_YOUR_CALM.code(),
                ByteBufUtil.writeUtf8(ctx.alloc(), reason),
                ctx.newPromise());
        ctx.flush();
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && connection().numActiveStreams() == 0) {
            ctx.close(); // GOAWAY, then close
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    /** Reads requests; runs within the read batch. */
    private final class Requests extends Http2FrameAdapter {
        private boolean windowOpened;

        @Override
        public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) throws Http2Exception {
            if (!windowOpened) { // after the sidecar's SETTINGS, which must be its first frame
                windowOpened = true;
                Http2Stream connectionStream = connection().connectionStream();
                connection()
                        .local()
                        .flowController()
                        .incrementWindowSize(
                                connectionStream,
                                CONNECTION_WINDOW_BYTES
                                        - connection().local().flowController().windowSize(connectionStream));
            }
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
            Http2Stream stream = connection().stream(streamId);
            Exchange exchange = stream.getProperty(exchangeKey);
            if (exchange != null) { // trailers: ignored, but they may end the request
                if (endOfStream && !exchange.answered) {
                    dispatch(ctx, streamId, exchange);
                }
                return;
            }
            long declared;
            CharSequence length = headers.get(CONTENT_LENGTH);
            try {
                declared =
                        length == null ? -1 : Long.parseLong(length.toString().strip());
            } catch (NumberFormatException e) {
                declared = -2;
            }
            if (declared == -2 || declared < -1) {
                refuse(
                        ctx,
                        streamId,
                        endOfStream,
                        HttpReply.failure(
                                400,
                                Status.Code.INVALID_ARGUMENT,
                                "content-length: \"" + length + "\" (expected: a number of bytes)"));
                return;
            }
            if (declared > maxBodyBytes) {
                refuse(ctx, streamId, endOfStream, tooLarge());
                return;
            }
            exchange = new Exchange(headers, (int) declared);
            if (endOfStream) {
                dispatch(ctx, streamId, exchange);
            } else {
                stream.setProperty(exchangeKey, exchange);
                scheduleBodyCheck();
            }
        }

        @Override
        public void onHeadersRead(
                ChannelHandlerContext ctx,
                int streamId,
                Http2Headers headers,
                int streamDependency,
                short weight,
                boolean exclusive,
                int padding,
                boolean endOfStream) {
            onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }

        @Override
        public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
            // Every byte counts as consumed at once (flow control): the body is copied out here.
            int processed = data.readableBytes() + padding;
            Http2Stream stream = connection().stream(streamId);
            Exchange exchange = stream == null ? null : stream.getProperty(exchangeKey);
            if (exchange == null || exchange.answered) {
                return processed;
            }
            if ((long) exchange.size + data.readableBytes() > maxBodyBytes) {
                exchange.answered = true;
                release(exchange);
                refuse(ctx, streamId, endOfStream, tooLarge());
                return processed;
            }
            if (bufferedBytes + data.readableBytes() > maxBufferedBytes) {
                exchange.answered = true;
                release(exchange);
                refuse(
                        ctx,
                        streamId,
                        endOfStream,
                        HttpReply.failure(
                                503,
                                Status.Code.RESOURCE_EXHAUSTED,
                                "this HTTP/2 connection is sending more request bodies at once than the sidecar"
                                        + " buffers (" + maxBufferedBytes + " bytes together): send fewer large"
                                        + " bodies at a time, or spread them over connections"));
                return processed;
            }
            exchange.append(data);
            bufferedBytes += data.readableBytes();
            if (endOfStream) {
                dispatch(ctx, streamId, exchange);
            }
            return processed;
        }
    }

    private void scheduleBodyCheck() {
        if (minBodyRate > 0 && !bodyCheckScheduled) {
            bodyCheckScheduled = true;
            ctx.executor().schedule(this::checkBodies, CHECK_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Once a second while request bodies are unfinished: each must have brought {@code minBodyRate}
     * bytes a second since the last check, once its grace is over. Time while the connection is not
     * read (back-pressure) does not count.
     */
    private void checkBodies() {
        bodyCheckScheduled = false;
        if (aborted || !ctx.channel().isActive()) {
            return;
        }
        long now = System.nanoTime();
        boolean reading = ctx.channel().config().isAutoRead();
        boolean[] unfinished = {false};
        String[] slow = {null};
        try {
            connection().forEachActiveStream(stream -> {
                Exchange e = stream.getProperty(exchangeKey);
                if (e == null || e.answered) {
                    return true;
                }
                unfinished[0] = true;
                if (now - e.start < graceNanos) {
                    return true;
                }
                if (!e.windowOpen || !reading) {
                    e.windowOpen = true;
                    e.windowStart = now;
                    e.windowSize = e.size;
                    return true;
                }
                long elapsed = now - e.windowStart;
                long received = e.size - e.windowSize;
                if (received * TimeUnit.SECONDS.toNanos(1) < (long) minBodyRate * elapsed) {
                    slow[0] = "request body of stream " + stream.id() + " slower than " + minBodyRate
                            + " bytes/s (--min-body-rate): " + received + " bytes in the last "
                            + TimeUnit.NANOSECONDS.toMillis(elapsed) + " ms";
                    return false;
                }
                e.windowStart = now;
                e.windowSize = e.size;
                return true;
            });
        } catch (Http2Exception e) {
            throw new IllegalStateException(e); // the visitor throws none
        }
        if (slow[0] != null) {
            closes.closing(ctx.channel(), slow[0]);
            abort(slow[0]);
        } else if (unfinished[0]) {
            scheduleBodyCheck();
        }
    }

    private HttpReply tooLarge() {
        return HttpReply.failure(
                413,
                Status.Code.RESOURCE_EXHAUSTED,
                "request body over the limit of " + maxBodyBytes + " bytes (--max-body-bytes)");
    }

    /** Answers before the request has ended; the rest of it is refused with RST_STREAM(NO_ERROR). */
    private void refuse(ChannelHandlerContext ctx, int streamId, boolean endOfStream, HttpReply reply) {
        Http2Stream stream = connection().stream(streamId);
        if (!endOfStream && stream != null && stream.getProperty(exchangeKey) == null) {
            Exchange dropped = new Exchange(null, 0);
            dropped.answered = true;
            stream.setProperty(exchangeKey, dropped);
        }
        answer(ctx, streamId, reply, !endOfStream);
    }

    /** The body of {@code exchange} no longer counts towards the connection's buffered bytes. */
    private void release(Exchange exchange) {
        if (exchange.counted) {
            exchange.counted = false;
            bufferedBytes -= exchange.size;
        }
    }

    /**
     * Hands a complete request to the routes; its answer is written on this connection's loop. The
     * gate counts it from here until {@link #finish}. While the gate is closed, requests the decoder
     * still finds in bytes already read wait here, in order, and go to the routes when it opens.
     */
    private void dispatch(ChannelHandlerContext ctx, int streamId, Exchange exchange) {
        exchange.answered = true;
        release(exchange);
        if (paused || !held.isEmpty()) {
            held.add(new Held(streamId, exchange));
            return;
        }
        handOn(ctx, streamId, exchange);
    }

    /** The gate opened: hands on the requests held, until it closes again. */
    private void resumeHeld() {
        paused = false;
        while (!paused && !held.isEmpty()) {
            Held next = held.poll();
            if (connection().stream(next.streamId()) != null) { // not reset by the client meanwhile
                handOn(ctx, next.streamId(), next.exchange());
            }
        }
    }

    private void handOn(ChannelHandlerContext ctx, int streamId, Exchange exchange) {
        gate.accepted();
        Http2Headers headers = exchange.headers;
        CharSequence method = headers.method();
        CharSequence rawPath = headers.path();
        if (method == null || rawPath == null) {
            finish(
                    ctx,
                    streamId,
                    HttpReply.failure(
                            400,
                            Status.Code.INVALID_ARGUMENT,
                            "malformed HTTP/2 request: :method and :path are required"),
                    false);
            return;
        }
        String path;
        try {
            path = HttpEndpoint.path(rawPath.toString());
        } catch (IllegalArgumentException e) {
            finish(
                    ctx,
                    streamId,
                    HttpReply.failure(400, Status.Code.INVALID_ARGUMENT, "malformed path: " + e.getMessage()),
                    false);
            return;
        }
        CharSequence contentType = headers.get(CONTENT_TYPE);
        CompletionStage<HttpReply> reply;
        try {
            reply = routes.handle(
                    method.toString(),
                    path,
                    contentType == null ? null : contentType.toString(),
                    regularHeaders(headers),
                    exchange.bytes());
        } catch (RuntimeException e) {
            log.warn("HTTP route failed for {} {}", method, path, e);
            reply = CompletableFuture.completedFuture(
                    HttpReply.failure(Status.INTERNAL.withDescription("sidecar error: " + e)));
        }
        reply.whenComplete((r, error) -> {
            HttpReply answer =
                    error != null ? HttpReply.failure(Status.INTERNAL.withDescription("sidecar error: " + error)) : r;
            if (ctx.executor().inEventLoop()) {
                finish(ctx, streamId, answer, false);
            } else {
                ctx.executor().execute(() -> finish(ctx, streamId, answer, false));
            }
        });
    }

    /** Answers a request {@link #dispatch} handed on: the gate stops counting it. */
    private void finish(ChannelHandlerContext ctx, int streamId, HttpReply reply, boolean early) {
        gate.answered();
        answer(ctx, streamId, reply, early);
    }

    /** The request's headers as (name, value) pairs, without the pseudo-headers. */
    private static List<Map.Entry<String, String>> regularHeaders(Http2Headers headers) {
        List<Map.Entry<String, String>> list = new ArrayList<>(headers.size());
        for (Map.Entry<CharSequence, CharSequence> h : headers) {
            CharSequence name = h.getKey();
            if (name.length() > 0 && name.charAt(0) != ':') {
                list.add(Map.entry(name.toString(), h.getValue().toString()));
            }
        }
        return list;
    }

    /**
     * Writes {@code reply} on stream {@code streamId}, unless the client has reset it; {@code
     * early}: the request has not ended (the stream's state cannot tell while the frame that ends it
     * is being read).
     */
    private void answer(ChannelHandlerContext ctx, int streamId, HttpReply reply, boolean early) {
        Http2Stream stream = connection().stream(streamId);
        if (stream == null) {
            return; // reset by the client, or the connection is gone: nobody to answer
        }
        Http2Stream.State state = stream.state();
        if (state != Http2Stream.State.OPEN && state != Http2Stream.State.HALF_CLOSED_REMOTE) {
            return;
        }
        Http2Headers headers = new DefaultHttp2Headers()
                .status(HttpResponseStatus.valueOf(reply.httpStatus()).codeAsText())
                .set(CONTENT_TYPE, reply.contentType())
                .setInt(CONTENT_LENGTH, reply.body().length)
                .set(STATUS_HEADER, STATUS_VALUES[reply.code().ordinal()]);
        for (Map.Entry<String, String> h : reply.headers()) {
            headers.add(AsciiString.of(h.getKey()).toLowerCase(), h.getValue());
        }
        boolean empty = reply.body().length == 0;
        ChannelFuture written = encoder().writeHeaders(ctx, streamId, headers, 0, empty, ctx.newPromise());
        if (!empty) {
            written =
                    encoder().writeData(ctx, streamId, Unpooled.wrappedBuffer(reply.body()), 0, true, ctx.newPromise());
        }
        // Counted until written out: the flow controller holds an answer the client's window has no room for.
        long bytes = reply.body().length + headerBytes(headers);
        unwrittenAnswerBytes += bytes;
        written.addListener(f -> unwrittenAnswerBytes -= bytes);
        if (early) {
            // Answered before the request's end (413): the client need not send the rest (RFC 9113,
            // 8.1). Once the answer is out: a reset now would drop its data, still queued for flow control.
            written.addListener(f -> {
                Http2Stream open = connection().stream(streamId);
                if (open != null) {
                    resetStream(ctx, streamId, Http2Error.NO_ERROR.code(), ctx.newPromise());
                    scheduleFlush();
                }
            });
        }
        scheduleFlush();
    }

    /** About what the headers cost on the wire (HPACK counts 32 bytes per header over name and value). */
    private static long headerBytes(Http2Headers headers) {
        long n = 9; // the frame header
        for (Map.Entry<CharSequence, CharSequence> h : headers) {
            n += h.getKey().length() + h.getValue().length() + 32;
        }
        return n;
    }

    private void scheduleFlush() {
        if (!inReadBatch && !flushScheduled) {
            // Once per turn of the loop: every answer completed in this turn leaves in one write.
            flushScheduled = true;
            ctx.executor().execute(flushTask);
        }
    }

    /** Builds the handler with the endpoint's settings; one per connection. */
    private static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Http2Exchanges, Builder> {
        private final HttpRoutes routes;
        private final HttpEndpoint.Limits limits;
        private final ConnectionCloses closes;

        Builder(HttpRoutes routes, HttpEndpoint.Limits limits, ConnectionCloses closes) {
            this.routes = routes;
            this.limits = limits;
            this.closes = closes;
            server(true);
            initialSettings(Http2Settings.defaultSettings()
                    .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                    .initialWindowSize(STREAM_WINDOW_BYTES)
                    .maxHeaderListSize(MAX_HEADER_LIST_BYTES));
        }

        @Override
        protected Http2Exchanges build() {
            return super.build();
        }

        @Override
        protected Http2Exchanges build(
                Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings initialSettings) {
            Http2Exchanges handler = new Http2Exchanges(decoder, encoder, initialSettings, routes, limits, closes);
            decoder.frameListener(handler.new Requests());
            return handler;
        }
    }
}
