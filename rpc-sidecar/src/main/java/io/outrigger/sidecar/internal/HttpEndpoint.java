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
import io.outrigger.core.internal.transport.SharedEventLoops;
import io.outrigger.core.internal.transport.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's HTTP server on Netty: HTTP/1.1, and HTTP/2 with prior knowledge (h2c) on the same
 * port. The first bytes of a connection choose ({@link Http2PrefaceDetector}): a connection that
 * opens with the HTTP/2 preface gets
 *
 * <pre>
 * bytes -> IdleStateHandler -> {@link Http2Exchanges} (streams multiplexed; same routes)
 * </pre>
 *
 * and any other the HTTP/1.1 pipeline:
 *
 * <pre>
 * bytes -> HttpServerCodec (initial line 4 KiB, headers 16 KiB)
 *       -> BodyLimit (aggregates one request; over the limit: 413 with the JSON error shape)
 *       -> IdleStateHandler (a connection idle for 5 minutes with nothing pending is closed)
 *       -> Handler (hands the request to the routes; writes the answers in request order)
 * </pre>
 *
 * Keep-alive and pipelining work: answers are queued per connection and written in the order the
 * requests came, whatever order their calls finish in; past 64 unanswered requests the connection
 * stops reading until it catches up. No call ever blocks an event loop.
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
     * Binds {@code host:port} and serves {@code routes} on {@code loops}, which the caller owns and
     * closes after this endpoint.
     *
     * @throws IllegalStateException if the address cannot be bound
     */
    public static HttpEndpoint start(
            String host, int port, SharedEventLoops loops, int maxBodyBytes, HttpRoutes routes) {
        ChannelGroup connections = new DefaultChannelGroup("sidecar-http", GlobalEventExecutor.INSTANCE);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loops.group())
                .channel(loops.transport().serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ch.pipeline()
                                .addLast(
                                        "detector",
                                        new Http2PrefaceDetector(
                                                p -> http1(p, maxBodyBytes, routes),
                                                p -> http2(p, maxBodyBytes, routes)));
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

    private static void http1(ChannelPipeline p, int maxBodyBytes, HttpRoutes routes) {
        p.addLast("codec", new HttpServerCodec(4096, 16 * 1024, 8192));
        p.addLast("aggregator", new BodyLimit(maxBodyBytes));
        p.addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
        p.addLast("handler", new Handler(routes));
    }

    private static void http2(ChannelPipeline p, int maxBodyBytes, HttpRoutes routes) {
        p.addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
        p.addLast("h2", Http2Exchanges.create(routes, maxBodyBytes));
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

    /** One per connection; everything runs on the connection's event loop. */
    static final class Handler extends ChannelInboundHandlerAdapter {
        private final HttpRoutes routes;
        private final ArrayDeque<Slot> pending = new ArrayDeque<>();
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

        Handler(HttpRoutes routes) {
            this.routes = routes;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Refused refused && !closing) {
                Slot slot = new Slot(refused.version(), refused.keepAlive());
                pending.add(slot);
                complete(ctx, slot, refused.reply());
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
                    Slot slot = new Slot(HttpVersion.HTTP_1_1, false);
                    pending.add(slot);
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
                Slot slot = new Slot(request.protocolVersion(), HttpUtil.isKeepAlive(request));
                pending.add(slot);
                if (pending.size() >= MAX_PENDING) {
                    ctx.channel().config().setAutoRead(false);
                }
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
                }
            }
            if (!closing
                    && pending.size() < MAX_PENDING / 2
                    && !ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            inReadBatch = false;
            if (flushPending) {
                flushPending = false;
                ctx.flush();
            }
            ctx.fireChannelReadComplete();
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
