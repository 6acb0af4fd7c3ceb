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
import io.netty.channel.EventLoopGroup;
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
import io.outrigger.core.Status;
import io.outrigger.core.internal.transport.Transport;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's HTTP/1.1 server on Netty. The pipeline of each connection:
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
 * stops reading until it catches up. Answers complete off the event loop and hop back onto it to be
 * written, so no call ever blocks an event loop.
 */
public final class HttpEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);

    static final int MAX_PENDING = 64;
    static final long IDLE_SECONDS = 300;

    private final EventLoopGroup group;
    private final Channel server;

    private HttpEndpoint(EventLoopGroup group, Channel server) {
        this.group = group;
        this.server = server;
    }

    /**
     * Binds {@code host:port} and serves {@code routes}.
     *
     * @throws IllegalStateException if the address cannot be bound
     */
    public static HttpEndpoint start(String host, int port, int ioThreads, int maxBodyBytes, HttpRoutes routes) {
        Transport transport = Transport.get();
        EventLoopGroup group = transport.newGroup(ioThreads, "outrigger-sidecar-http");
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        p.addLast("codec", new HttpServerCodec(4096, 16 * 1024, 8192));
                        p.addLast("aggregator", new BodyLimit(maxBodyBytes));
                        p.addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS));
                        p.addLast("handler", new Handler(routes));
                    }
                });
        try {
            Channel server = bootstrap.bind(host, port).syncUninterruptibly().channel();
            return new HttpEndpoint(group, server);
        } catch (Exception e) { // Netty rethrows checked bind errors undeclared
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IllegalStateException(
                    "cannot listen for HTTP on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    /** The port listened on. */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Stops accepting, closes every connection, stops the threads. */
    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    static FullHttpResponse toResponse(HttpReply reply, HttpVersion version, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(
                version, HttpResponseStatus.valueOf(reply.httpStatus()), Unpooled.wrappedBuffer(reply.body()));
        var headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
        headers.set(HeaderMapping.STATUS_HEADER, reply.code().name());
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
                    path = QueryStringDecoder.decodeComponent(new QueryStringDecoder(request.uri()).rawPath());
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
                ctx.flush();
            }
            if (!closing
                    && pending.size() < MAX_PENDING / 2
                    && !ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
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
