package io.outrigger.benchmarks.sidecar;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import io.outrigger.benchmarks.BenchmarkTarget;
import io.outrigger.benchmarks.Client;
import io.outrigger.benchmarks.RunningServer;
import io.outrigger.benchmarks.Workload;
import io.outrigger.benchmarks.internal.EventLoops;
import io.outrigger.benchmarks.outrigger.OutriggerTarget;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.sidecar.Sidecar;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Outrigger through one sidecar hop over HTTP/2: as {@link SidecarTarget}, but the client speaks
 * HTTP/2 with prior knowledge (h2c) to the sidecar on ONE connection, every call in flight a stream
 * of it.
 *
 * <p>The client is Netty's HTTP/2 codec on one event loop, without a channel per stream: each call
 * writes a HEADERS and a DATA frame, and the frames written in one turn of the loop (for example
 * the next calls started by the completions of one read) leave in one flush, as an HTTP/2 client
 * that batches does. The sidecar's CPU is counted with the client's.
 */
public final class SidecarH2Target implements BenchmarkTarget {

    @Override
    public String name() {
        return "outrigger-sidecar-h2";
    }

    @Override
    public String description() {
        return "the outrigger server called through an in-process sidecar: h2c (HTTP/2 with prior knowledge,"
                + " every call a stream of one connection, " + EventLoops.transport() + " Netty client) to the"
                + " sidecar, native from it; the sidecar's CPU counts as the client's";
    }

    @Override
    public RunningServer startServer(int port) {
        return OutriggerTarget.async().startServer(port);
    }

    /** Not measured: the connections would be between the HTTP client and the sidecar in the client JVM; the sidecar keeps one connection to the server. */
    @Override
    public Client connect(String host, int port, int connections) throws InterruptedException {
        if (connections == 1) {
            return connect(host, port);
        }
        throw new UnsupportedOperationException(
                "the connections would be between the HTTP client and the sidecar in the client JVM; the sidecar keeps one connection to the server");
    }

    @Override
    public Client connect(String host, int port) throws InterruptedException {
        StaticRegistry registry = StaticRegistry.of(
                ServiceInstance.builder(SidecarRequests.SERVICE, host, port).build());
        Sidecar sidecar = SidecarTarget.startSidecar(registry);
        EventLoopGroup group = EventLoops.group(1, "sidecar-h2-client");
        try {
            return new H2Client(sidecar, registry, group, "127.0.0.1", sidecar.httpPort());
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            sidecar.close();
            registry.close();
            throw e;
        }
    }

    /** A call waiting for its answer. Event loop only. */
    private static final class Pending {
        final Workload workload;
        final CompletableFuture<Object> future;
        int status;
        /** The body when it comes in more than one DATA frame. */
        ByteBuf body;

        Pending(Workload workload, CompletableFuture<Object> future) {
            this.workload = workload;
            this.future = future;
        }
    }

    /** One HTTP/2 connection to the sidecar; all its state lives on the single event loop. */
    private static final class H2Client implements Client {
        private final Sidecar sidecar;
        private final StaticRegistry registry;
        private final EventLoopGroup group;
        private final EventLoop loop;
        private final Connection connection;
        private final Channel channel;
        private final Http2Headers[] requestHeaders = new Http2Headers[Workload.values().length];

        H2Client(Sidecar sidecar, StaticRegistry registry, EventLoopGroup group, String host, int port) {
            this.sidecar = sidecar;
            this.registry = registry;
            this.group = group;
            this.loop = group.next();
            AsciiString authority = AsciiString.cached(host + ":" + port);
            for (Workload w : Workload.values()) {
                // Built once and only read after: the HPACK encoder does not change them.
                requestHeaders[w.ordinal()] = new DefaultHttp2Headers()
                        .method(AsciiString.cached("POST"))
                        .scheme(AsciiString.cached("http"))
                        .authority(authority)
                        .path(AsciiString.cached(SidecarRequests.path(w)))
                        .set(AsciiString.cached("content-type"), AsciiString.cached(SidecarRequests.PROTOBUF))
                        .setInt(AsciiString.cached("content-length"), SidecarRequests.body(w).length);
            }
            this.connection = new Builder().build();
            this.channel = new Bootstrap()
                    .group(loop)
                    .channel(EventLoops.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(connection);
                        }
                    })
                    .connect(host, port)
                    .syncUninterruptibly()
                    .channel();
        }

        @Override
        public CompletableFuture<?> call(Workload workload) {
            Pending call = new Pending(workload, new CompletableFuture<>());
            if (loop.inEventLoop()) {
                connection.send(call);
            } else {
                loop.execute(() -> connection.send(call));
            }
            return call.future;
        }

        @Override
        public void close() {
            channel.close().awaitUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            sidecar.close();
            registry.close();
        }

        private final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Connection, Builder> {
            Builder() {
                server(false);
                // Large receive windows: replies are parsed as they come, and 64 KiB (the default)
                // holds fewer than 32 listUser replies, so the sidecar would wait for WINDOW_UPDATEs.
                initialSettings(
                        Http2Settings.defaultSettings().pushEnabled(false).initialWindowSize(1024 * 1024));
            }

            @Override
            protected Connection build() {
                return super.build();
            }

            @Override
            protected Connection build(
                    Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings s) {
                Connection c = new Connection(decoder, encoder, s);
                decoder.frameListener(c.new Answers());
                return c;
            }
        }

        /** The connection's handler: sends calls as streams, completes them from the answers. */
        private final class Connection extends Http2ConnectionHandler {
            private final IntObjectMap<Pending> pending = new IntObjectHashMap<>();
            private ChannelHandlerContext ctx;
            private boolean inReadBatch;
            private boolean flushScheduled;
            private final Runnable flushTask = () -> {
                flushScheduled = false;
                flush(ctx);
            };

            Connection(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings settings) {
                super(decoder, encoder, settings);
            }

            @Override
            public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
                this.ctx = ctx;
                super.handlerAdded(ctx);
            }

            void send(Pending call) {
                if (ctx == null || !ctx.channel().isActive()) {
                    call.future.completeExceptionally(new ClosedChannelException());
                    return;
                }
                int streamId = connection().local().incrementAndGetNextStreamId();
                pending.put(streamId, call);
                encoder()
                        .writeHeaders(
                                ctx, streamId, requestHeaders[call.workload.ordinal()], 0, false, ctx.newPromise());
                encoder()
                        .writeData(
                                ctx,
                                streamId,
                                Unpooled.wrappedBuffer(SidecarRequests.body(call.workload)),
                                0,
                                true,
                                ctx.newPromise())
                        .addListener(f -> {
                            if (!f.isSuccess()) {
                                fail(streamId, f.cause());
                            }
                        });
                if (!inReadBatch && !flushScheduled) {
                    flushScheduled = true;
                    ctx.executor().execute(flushTask);
                }
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                inReadBatch = true;
                super.channelRead(ctx, msg);
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
                inReadBatch = false;
                super.channelReadComplete(ctx); // flushes what the completions wrote
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) throws Exception {
                List<Integer> ids = new ArrayList<>(pending.keySet());
                for (int id : ids) {
                    fail(id, new ClosedChannelException());
                }
                super.channelInactive(ctx);
            }

            private void fail(int streamId, Throwable cause) {
                Pending call = pending.remove(streamId);
                if (call != null) {
                    if (call.body != null) {
                        call.body.release();
                    }
                    call.future.completeExceptionally(cause);
                }
            }

            private void finish(int streamId, Pending call, ByteBuf content) {
                pending.remove(streamId);
                Object result;
                try {
                    if (call.status != 200) {
                        call.future.completeExceptionally(new IOException(
                                "HTTP " + call.status + ": " + content.toString(StandardCharsets.UTF_8)));
                        return;
                    }
                    result = SidecarRequests.parse(call.workload, content);
                } catch (IOException | RuntimeException e) {
                    call.future.completeExceptionally(e);
                    return;
                }
                call.future.complete(result);
            }

            /** Reads the answers; runs within the read batch. */
            private final class Answers extends Http2FrameAdapter {
                private boolean windowOpened;

                @Override
                public void onSettingsRead(ChannelHandlerContext ctx, Http2Settings settings) throws Http2Exception {
                    if (!windowOpened) {
                        windowOpened = true;
                        Http2Stream connectionStream = connection().connectionStream();
                        connection()
                                .local()
                                .flowController()
                                .incrementWindowSize(
                                        connectionStream,
                                        16 * 1024 * 1024
                                                - connection()
                                                        .local()
                                                        .flowController()
                                                        .windowSize(connectionStream));
                    }
                }

                @Override
                public void onHeadersRead(
                        ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean end) {
                    Pending call = pending.get(streamId);
                    if (call == null) {
                        return;
                    }
                    if (call.status == 0) {
                        CharSequence status = headers.status();
                        call.status =
                                status == null ? -1 : AsciiString.of(status).parseInt();
                    }
                    if (end) {
                        finish(streamId, call, call.body != null ? call.body : Unpooled.EMPTY_BUFFER);
                        if (call.body != null) {
                            call.body.release();
                        }
                    }
                }

                @Override
                public void onHeadersRead(
                        ChannelHandlerContext ctx,
                        int streamId,
                        Http2Headers headers,
                        int dependency,
                        short weight,
                        boolean exclusive,
                        int padding,
                        boolean end) {
                    onHeadersRead(ctx, streamId, headers, padding, end);
                }

                @Override
                public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean end) {
                    int processed = data.readableBytes() + padding;
                    Pending call = pending.get(streamId);
                    if (call == null) {
                        return processed;
                    }
                    if (end && call.body == null) {
                        finish(streamId, call, data); // the usual case: one DATA frame, parsed in place
                        return processed;
                    }
                    if (call.body == null) {
                        call.body = ctx.alloc().buffer(data.readableBytes() * 2);
                    }
                    call.body.writeBytes(data, data.readerIndex(), data.readableBytes());
                    if (end) {
                        try {
                            finish(streamId, call, call.body);
                        } finally {
                            call.body.release();
                        }
                    }
                    return processed;
                }

                @Override
                public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
                    fail(streamId, new IOException("stream reset by the sidecar, error code " + errorCode));
                }
            }
        }
    }
}
