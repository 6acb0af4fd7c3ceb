package io.outrigger.sidecar.internal;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.outrigger.core.Status;
import io.outrigger.core.internal.transport.ConnectionLimiter;
import io.outrigger.core.internal.transport.ReadGate;
import io.outrigger.core.internal.transport.SharedEventLoops;
import io.outrigger.core.internal.transport.Transport;
import io.outrigger.sidecar.SidecarConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's HTTP server on Netty: HTTP/1.1, and HTTP/2 with prior knowledge (h2c) on the same
 * port. Every connection starts with
 *
 * <pre>
 * bytes -> ConnectionLimiter (past --max-connections or --max-connections-per-address: a raw 503, closed)
 *       -> ReadDeadlines.bytes (times the first bytes, before the protocol is known)
 *       -> {@link Http2PrefaceDetector}
 * </pre>
 *
 * and the first bytes choose the rest: a connection that opens with the HTTP/2 preface gets
 *
 * <pre>
 *       -> ReadDeadlines.http2Frames (preface, SETTINGS, each frame and header block within --header-timeout-ms)
 *       -> IdleStateHandler -> {@link Http2Exchanges} (streams multiplexed; same routes)
 * </pre>
 *
 * and any other the HTTP/1.1 pipeline:
 *
 * <pre>
 *       -> HttpServerCodec (initial line 4 KiB, headers 16 KiB)
 *       -> ReadDeadlines.http1Messages (headers within --header-timeout-ms; bodies at --min-body-rate)
 *       -> BodyLimit (aggregates one request; over the limit: 413 with the JSON error shape)
 *       -> IdleStateHandler (a connection idle for 5 minutes with nothing pending is closed)
 *       -> Handler (hands the request to the routes; writes the answers in request order)
 * </pre>
 *
 * Keep-alive and pipelining work: answers are queued per connection and written in the order the
 * requests came, whatever order their calls finish in. Back-pressure ({@link ReadGate}): a
 * connection stops reading while 64 of its requests are unanswered, or while more than 1 MiB of
 * its answers wait unread ({@link ReadGate#WATER_MARK}), until it catches up; its requests then
 * wait in the kernel's socket buffers, and TCP slows the peer down. One whose queued answers pass
 * {@link Limits#maxQueuedBytes} is closed. No call ever blocks an event loop.
 *
 * <p>Threads: the endpoint runs on {@link SharedEventLoops} that the sidecar's client also runs its
 * provider connections on, one per loop and provider. A request read on loop N is sent on loop N's
 * provider connection, its answer is read and completed on loop N, and written back from there: one
 * thread per call, no hand-off. An answer completed elsewhere (a fallback, a first call waiting for
 * the registry) hops onto the connection's loop to be written. Answers completed while a read batch
 * is being handled are flushed once at its end ({@code channelReadComplete}), others at once.
 */
public final class HttpEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);

    /** Header name and values built once: the encoder then copies their bytes without converting them. */
    private static final AsciiString STATUS_HEADER = AsciiString.cached(HeaderMapping.STATUS_HEADER);

    private static final AsciiString[] STATUS_VALUES = java.util.Arrays.stream(Status.Code.values())
            .map(code -> AsciiString.cached(code.name()))
            .toArray(AsciiString[]::new);

    static final int MAX_PENDING = 64;
    static final long IDLE_SECONDS = 300;

    private final Channel server;
    private final ChannelGroup connections;

    private HttpEndpoint(Channel server, ChannelGroup connections) {
        this.server = server;
        this.connections = connections;
    }

    /**
     * What the endpoint allows each peer: body size, how slowly it may send, how many connections,
     * and how many answer bytes may wait for it. Built from the sidecar's flags by {@link #of}.
     *
     * @param maxBodyBytes the largest request body ({@code --max-body-bytes})
     * @param headerTimeout from a request's first byte to the end of its headers ({@code --header-timeout-ms})
     * @param minBodyRate bytes per second a body must bring after {@code bodyRateGrace}; 0: no minimum
     * @param bodyRateGrace from the end of a request's headers until {@code minBodyRate} applies
     * @param maxConnections connections held at once
     * @param maxConnectionsPerAddress connections held from one source address
     * @param maxQueuedBytes answer bytes waiting for one connection past which it is closed
     */
    public record Limits(
            int maxBodyBytes,
            Duration headerTimeout,
            int minBodyRate,
            Duration bodyRateGrace,
            int maxConnections,
            int maxConnectionsPerAddress,
            long maxQueuedBytes) {

        /** The limits {@code config} sets. */
        public static Limits of(SidecarConfig config) {
            return new Limits(
                    config.maxBodyBytes(),
                    config.headerTimeout(),
                    config.minBodyRate(),
                    config.bodyRateGrace(),
                    config.maxConnections(),
                    config.maxConnectionsPerAddress(),
                    maxQueuedBytes(config.maxBodyBytes()));
        }

        /**
         * The answer bytes one connection may leave unread: four bodies at the limit, at least 16 MiB,
         * so that an answer as large as the largest request still fits (the client reads answers up to
         * the same size), with room for the answers in flight behind it.
         */
        static long maxQueuedBytes(int maxBodyBytes) {
            return Math.max(4L * maxBodyBytes, 16L * 1024 * 1024);
        }
    }

    /**
     * Binds {@code host:port} and serves {@code routes} on {@code loops}, which the caller owns and
     * closes after this endpoint.
     *
     * @throws IllegalStateException if the address cannot be bound
     */
    public static HttpEndpoint start(String host, int port, SharedEventLoops loops, Limits limits, HttpRoutes routes) {
        ChannelGroup connections = new DefaultChannelGroup("sidecar-http", GlobalEventExecutor.INSTANCE);
        ConnectionCloses closes = new ConnectionCloses();
        // One for the endpoint: it counts every connection. First in each pipeline, so a connection
        // past a cap is refused before any other handler sees it.
        ConnectionLimiter limiter = new ConnectionLimiter(
                "the sidecar's HTTP endpoint",
                limits.maxConnections(),
                limits.maxConnectionsPerAddress(),
                HttpEndpoint::refuse);
        long headerTimeoutNanos = limits.headerTimeout().toNanos();
        long graceNanos = limits.bodyRateGrace().toNanos();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.group())
                .channel(loops.transport().serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // Past 1 MiB of answers unread the connection stops being writable, and its ReadGate
                // stops reading from it until they drain below 256 KiB.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, ReadGate.WATER_MARK)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ReadDeadlines deadlines =
                                new ReadDeadlines(ch, headerTimeoutNanos, limits.minBodyRate(), graceNanos, closes);
                        ch.pipeline()
                                .addLast("limiter", limiter)
                                .addLast("deadlines", deadlines.bytes())
                                .addLast(
                                        "detector",
                                        new Http2PrefaceDetector(
                                                p -> http1(p, deadlines, limits, routes),
                                                p -> http2(p, deadlines, limits, closes, routes)));
                    }
                });
        if (loops.transport() == Transport.EPOLL) {
            // Level-triggered: a read event costs one read(); edge-triggered reads on until EAGAIN,
            // a second read() per event, and a keep-alive connection brings one request per event.
            bootstrap.childOption(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
        }
        try {
            Channel server = bootstrap.bind(host, port).syncUninterruptibly().channel();
            return new HttpEndpoint(server, connections);
        } catch (Exception e) { // Netty rethrows checked bind errors undeclared
            throw new IllegalStateException(
                    "cannot listen for HTTP on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private static void http1(ChannelPipeline p, ReadDeadlines deadlines, Limits limits, HttpRoutes routes) {
        deadlines.http1();
        Handler handler = new Handler(routes, limits.maxQueuedBytes());
        deadlines.onExpiry(handler::expire);
        p.addLast("codec", new HttpServerCodec(4096, 16 * 1024, 8192));
        p.addLast("requests", deadlines.http1Messages());
        p.addLast("aggregator", new BodyLimit(limits.maxBodyBytes()));
        p.addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
        p.addLast("handler", handler);
    }

    private static void http2(
            ChannelPipeline p, ReadDeadlines deadlines, Limits limits, ConnectionCloses closes, HttpRoutes routes) {
        deadlines.http2();
        Http2Exchanges exchanges = Http2Exchanges.create(routes, limits, closes);
        deadlines.onExpiry(exchanges::expire);
        p.addLast("frames", deadlines.http2Frames());
        p.addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
        p.addLast("h2", exchanges);
    }

    /**
     * Answers a connection past a cap: a raw {@code 503} with the JSON error shape and {@code
     * Connection: close} (an HTTP/2 client reads it as a broken preface, and gives up as it should),
     * then closes. Nothing of the connection is read.
     */
    private static void refuse(ChannelHandlerContext ctx, String reason) {
        ctx.channel().config().setAutoRead(false);
        byte[] body = JsonText.error(
                        Status.Code.UNAVAILABLE,
                        "the sidecar's HTTP endpoint has reached its " + reason
                                + "; close idle connections or raise --max-connections / --max-connections-per-address")
                .getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 503 Service Unavailable\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + HeaderMapping.STATUS_HEADER + ": " + Status.Code.UNAVAILABLE.name() + "\r\n"
                + "Connection: close\r\n\r\n";
        ctx.writeAndFlush(Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), body))
                .addListener(ChannelFutureListener.CLOSE);
    }

    /** The port listened on. */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Stops accepting and closes every connection; the event loops are left to their owner. */
    @Override
    public void close() {
        server.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }

    static FullHttpResponse toResponse(HttpReply reply, HttpVersion version, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                version, HttpResponseStatus.valueOf(reply.httpStatus()), Unpooled.wrappedBuffer(reply.body()));
        var headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
        headers.set(STATUS_HEADER, STATUS_VALUES[reply.code().ordinal()]);
        for (var h : reply.headers()) {
            headers.add(h.getKey(), h.getValue());
        }
        if (!keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (version.equals(HttpVersion.HTTP_1_0)) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return response;
    }

    /** The decoded path of {@code uri}, without query or fragment. */
    static String path(String uri) {
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '?' || c == '#' || c == '%' || c == '+') {
                return QueryStringDecoder.decodeComponent(new QueryStringDecoder(uri).rawPath());
            }
        }
        return uri; // the common case, nothing to strip or decode: no copy
    }

    /** The aggregator, answering oversized bodies with the JSON error shape. */
    static final class BodyLimit extends HttpObjectAggregator {
        private final int maxBodyBytes;

        BodyLimit(int maxBodyBytes) {
            super(maxBodyBytes, true);
            this.maxBodyBytes = maxBodyBytes;
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            if (!(oversized instanceof HttpRequest request)) {
                ctx.close();
                return;
            }
            HttpReply reply = HttpReply.failure(
                    413,
                    Status.Code.RESOURCE_EXHAUSTED,
                    "request body over the limit of " + maxBodyBytes + " bytes (--max-body-bytes)");
            // Netty discards the rest of the body; the connection is kept when it can find where it ends.
            boolean keepAlive = !(oversized instanceof FullHttpRequest)
                    && HttpUtil.isKeepAlive(request)
                    && HttpUtil.isContentLengthSet(request)
                    && !HttpUtil.is100ContinueExpected(request);
            // Through the handler, so the answer keeps its place behind those of earlier pipelined requests.
            ctx.fireChannelRead(new Refused(reply, request.protocolVersion(), keepAlive));
        }
    }

    /** An answer decided before the handler saw the request (413), queued in request order by the handler. */
    record Refused(HttpReply reply, HttpVersion version, boolean keepAlive) {}

    /**
     * One per connection; everything runs on the connection's event loop. Its {@link ReadGate}
     * stops reading while {@value #MAX_PENDING} requests are unanswered or the peer is not reading
     * its answers (the connection is not writable), and closes the connection once the answers
     * queued for it pass {@link Limits#maxQueuedBytes}. While it is closed, the requests the decoder
     * still finds in bytes already read (one read may bring hundreds of small ones) are held here,
     * not started, and handled in order when it opens.
     */
    static final class Handler extends ChannelInboundHandlerAdapter {
        private final HttpRoutes routes;
        private final long maxQueuedBytes;
        private final ArrayDeque<Slot> pending = new ArrayDeque<>();
        private ChannelHandlerContext ctx;
        private ReadGate gate;
        /** The gate is closed: what the decoder still hands on, from bytes already read, waits in {@link #held}. */
        private boolean paused;

        private final ArrayDeque<Object> held = new ArrayDeque<>();
        private boolean closing;
        /** Between the first {@code channelRead} of a read batch and its {@code channelReadComplete}. */
        private boolean inReadBatch;
        /** Answers were written during the read batch and await its end to be flushed. */
        private boolean flushPending;

        private static final class Slot {
            final HttpVersion version;
            final boolean keepAlive;
            HttpReply reply;

            Slot(HttpVersion version, boolean keepAlive) {
                this.version = version;
                this.keepAlive = keepAlive;
            }
        }

        Handler(HttpRoutes routes, long maxQueuedBytes) {
            this.routes = routes;
            this.maxQueuedBytes = maxQueuedBytes;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
            this.gate = new ReadGate(
                    ctx.channel(),
                    "HTTP connection from " + ConnectionCloses.peer(ctx.channel()),
                    MAX_PENDING,
                    maxQueuedBytes,
                    () -> paused = true,
                    this::resumeHeld);
        }

        /** The gate opened: handles the requests held, in order, until it closes again. */
        private void resumeHeld() {
            paused = false;
            inReadBatch = true; // the answers completed meanwhile leave in one flush
            try {
                while (!paused && !held.isEmpty()) {
                    handle(ctx, held.poll());
                }
            } finally {
                inReadBatch = false;
                if (flushPending) {
                    flushPending = false;
                    ctx.flush();
                    gate.checkQueued();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            releaseHeld();
            ctx.fireChannelInactive();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            releaseHeld();
        }

        private void releaseHeld() {
            for (Object msg; (msg = held.poll()) != null; ) {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        }

        /** Queues a request's place for its answer, counted by the gate until the answer is written. */
        private Slot accept(HttpVersion version, boolean keepAlive) {
            Slot slot = new Slot(version, keepAlive);
            pending.add(slot);
            gate.accepted();
            return slot;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (paused || !held.isEmpty()) {
                held.add(msg); // behind those already held: answers keep the order of the requests
                return;
            }
            handle(ctx, msg);
        }

        private void handle(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Refused refused && !closing) {
                complete(ctx, accept(refused.version(), refused.keepAlive()), refused.reply());
                return;
            }
            if (!(msg instanceof FullHttpRequest request)) {
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            inReadBatch = true;
            try {
                if (closing) {
                    return;
                }
                if (request.decoderResult().isFailure()) {
                    Slot slot = accept(HttpVersion.HTTP_1_1, false);
                    Throwable cause = request.decoderResult().cause();
                    complete(
                            ctx,
                            slot,
                            HttpReply.failure(
                                    400,
                                    Status.Code.INVALID_ARGUMENT,
                                    "malformed HTTP request: " + (cause == null ? "?" : cause.getMessage())));
                    return;
                }
                Slot slot = accept(request.protocolVersion(), HttpUtil.isKeepAlive(request));
                String path;
                try {
                    path = path(request.uri());
                } catch (IllegalArgumentException e) {
                    complete(
                            ctx,
                            slot,
                            HttpReply.failure(400, Status.Code.INVALID_ARGUMENT, "malformed path: " + e.getMessage()));
                    return;
                }
                byte[] body = ByteBufUtil.getBytes(request.content());
                CompletionStage<HttpReply> reply;
                try {
                    reply = routes.handle(
                            request.method().name(),
                            path,
                            request.headers().get(HttpHeaderNames.CONTENT_TYPE),
                            request.headers(),
                            body);
                } catch (RuntimeException e) {
                    log.warn("HTTP route failed for {} {}", request.method(), path, e);
                    reply = java.util.concurrent.CompletableFuture.completedFuture(
                            HttpReply.failure(Status.INTERNAL.withDescription("sidecar error: " + e)));
                }
                reply.whenComplete((r, error) -> {
                    HttpReply answer = error != null
                            ? HttpReply.failure(Status.INTERNAL.withDescription("sidecar error: " + error))
                            : r;
                    if (ctx.executor().inEventLoop()) {
                        complete(ctx, slot, answer);
                    } else {
                        ctx.executor().execute(() -> complete(ctx, slot, answer));
                    }
                });
            } finally {
                request.release();
            }
        }

        /** Records the answer of {@code slot} and writes every answer that is now next in line. */
        private void complete(ChannelHandlerContext ctx, Slot slot, HttpReply reply) {
            slot.reply = reply;
            boolean wrote = false;
            while (!pending.isEmpty() && pending.peek().reply != null) {
                Slot head = pending.poll();
                boolean keepAlive = head.keepAlive && !closing;
                var future = ctx.write(toResponse(head.reply, head.version, keepAlive));
                wrote = true;
                gate.answered();
                if (!keepAlive) {
                    closing = true;
                    pending.clear();
                    future.addListener(ChannelFutureListener.CLOSE);
                }
            }
            if (wrote) {
                if (inReadBatch) {
                    flushPending = true; // one flush for every answer of the batch, in channelReadComplete
                } else {
                    ctx.flush();
                    gate.checkQueued();
                }
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            inReadBatch = false;
            if (flushPending) {
                flushPending = false;
                ctx.flush();
                gate.checkQueued();
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            gate.writabilityChanged();
            ctx.fireChannelWritabilityChanged();
        }

        /**
         * A deadline of {@link ReadDeadlines} passed (already logged): answers {@code 408} if no
         * earlier request waits for its answer (an answer out of turn would be taken for that one's),
         * and closes.
         */
        void expire(String reason) {
            if (ctx == null || !ctx.channel().isActive()) {
                return;
            }
            boolean answer = pending.isEmpty() && !closing;
            closing = true;
            pending.clear();
            if (!answer) {
                ctx.close();
                return;
            }
            ctx.writeAndFlush(toResponse(
                            HttpReply.failure(408, Status.Code.DEADLINE_EXCEEDED, reason), HttpVersion.HTTP_1_1, false))
                    .addListener(ChannelFutureListener.CLOSE);
            // A peer that does not read even that is not waited for.
            ctx.executor().schedule(() -> ctx.close(), 1, TimeUnit.SECONDS);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof IdleStateEvent && pending.isEmpty()) {
                ctx.close();
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("closing HTTP connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
