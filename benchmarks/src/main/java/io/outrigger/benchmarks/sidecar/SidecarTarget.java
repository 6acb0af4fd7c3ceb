package io.outrigger.benchmarks.sidecar;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import io.outrigger.benchmarks.BenchmarkTarget;
import io.outrigger.benchmarks.Client;
import io.outrigger.benchmarks.RunningServer;
import io.outrigger.benchmarks.Workload;
import io.outrigger.benchmarks.internal.EventLoops;
import io.outrigger.benchmarks.outrigger.OutriggerTarget;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.sidecar.Sidecar;
import io.outrigger.sidecar.SidecarConfig;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Outrigger through one sidecar hop: the client speaks HTTP/1.1 to an in-process {@link Sidecar},
 * which calls the {@code outrigger} server natively.
 *
 * <p>The server is exactly {@link OutriggerTarget#async()}'s. The client JVM starts the sidecar
 * (static registry pointing {@code bench.UserService} at the server, default settings otherwise) and
 * an HTTP/1.1 keep-alive client on Netty: one event loop, a pool of connections with one call in
 * flight each (no pipelining, as most HTTP clients do it), opened on demand and reused when idle,
 * so there are as many connections as calls in flight. Each call is {@code POST
 * /rpc/bench.UserService/{method}} with the protobuf bytes of the request the other targets send,
 * answered with the protobuf bytes of the reply. The sidecar's CPU is counted with the client's.
 */
public final class SidecarTarget implements BenchmarkTarget {

    static final String SERVICE = SidecarRequests.SERVICE;

    @Override
    public String name() {
        return "outrigger-sidecar";
    }

    @Override
    public String description() {
        return "the outrigger server called through an in-process sidecar: HTTP/1.1 keep-alive (one call"
                + " per connection, " + EventLoops.transport() + " Netty client) to the sidecar, native"
                + " from it; the sidecar's CPU counts as the client's";
    }

    @Override
    public RunningServer startServer(int port) {
        return OutriggerTarget.async().startServer(port);
    }

    /** Not measured: its HTTP/1.1 client already opens one connection to the sidecar per call in flight, and the sidecar one to the server. */
    @Override
    public Client connect(String host, int port, int connections) throws InterruptedException {
        if (connections == 1) {
            return connect(host, port);
        }
        throw new UnsupportedOperationException(
                "its HTTP/1.1 client already opens one connection to the sidecar per call in flight, and the sidecar one to the server");
    }

    @Override
    public Client connect(String host, int port) throws InterruptedException {
        StaticRegistry registry =
                StaticRegistry.of(ServiceInstance.builder(SERVICE, host, port).build());
        Sidecar sidecar = startSidecar(registry);
        EventLoopGroup group = EventLoops.group(1, "sidecar-http-client");
        return new HttpClient(sidecar, registry, group, "127.0.0.1", sidecar.httpPort());
    }

    /** An in-process sidecar with default settings finding the server in {@code registry}; closes it on failure. */
    static Sidecar startSidecar(StaticRegistry registry) {
        try {
            return Sidecar.start(
                    SidecarConfig.builder()
                            .http("127.0.0.1:0")
                            .propagationDelay(Duration.ZERO)
                            .build(),
                    registry);
        } catch (RuntimeException e) {
            registry.close();
            throw e;
        }
    }

    /** The pending call of a connection. */
    private record Pending(Workload workload, CompletableFuture<Object> future) {}

    /**
     * A pool of HTTP/1.1 keep-alive connections to the sidecar. All its state lives on the single
     * event loop; {@link #call} hops onto it when called from elsewhere.
     */
    private static final class HttpClient implements Client {
        private static final AsciiString PROTOBUF = AsciiString.cached(SidecarRequests.PROTOBUF);

        private final Sidecar sidecar;
        private final StaticRegistry registry;
        private final EventLoopGroup group;
        private final EventLoop loop;
        private final Bootstrap bootstrap;
        private final AsciiString hostHeader;
        /** Connected and with no call in flight; most recently used last. Event loop only. */
        private final ArrayDeque<Connection> idle = new ArrayDeque<>();

        private boolean closed;

        HttpClient(Sidecar sidecar, StaticRegistry registry, EventLoopGroup group, String host, int port) {
            this.sidecar = sidecar;
            this.registry = registry;
            this.group = group;
            this.loop = group.next();
            this.hostHeader = AsciiString.cached(host + ":" + port);
            this.bootstrap = new Bootstrap()
                    .group(loop)
                    .channel(EventLoops.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .remoteAddress(host, port);
        }

        @Override
        public CompletableFuture<?> call(Workload workload) {
            CompletableFuture<Object> future = new CompletableFuture<>();
            Pending call = new Pending(workload, future);
            if (loop.inEventLoop()) {
                send(call);
            } else {
                loop.execute(() -> send(call));
            }
            return future;
        }

        /** Sends on an idle connection, or opens one. Event loop only. */
        private void send(Pending call) {
            if (closed) {
                call.future.completeExceptionally(new ClosedChannelException());
                return;
            }
            Connection idleOne = idle.pollLast();
            if (idleOne != null) {
                idleOne.send(call);
                return;
            }
            Connection connection = new Connection();
            ChannelFuture connect = bootstrap
                    .clone()
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(new HttpClientCodec())
                                    .addLast(new HttpObjectAggregator(16 * 1024 * 1024))
                                    .addLast(connection);
                        }
                    })
                    .connect();
            connect.addListener(f -> {
                if (f.isSuccess()) {
                    connection.send(call);
                } else {
                    call.future.completeExceptionally(f.cause());
                }
            });
        }

        private FullHttpRequest request(Workload workload) {
            byte[] body = SidecarRequests.body(workload);
            FullHttpRequest request = new DefaultFullHttpRequest(
                    HttpVersion.HTTP_1_1,
                    HttpMethod.POST,
                    SidecarRequests.path(workload),
                    Unpooled.wrappedBuffer(body),
                    false);
            HttpHeaders headers = request.headers();
            headers.set(HttpHeaderNames.HOST, hostHeader);
            headers.set(HttpHeaderNames.CONTENT_TYPE, PROTOBUF);
            headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
            return request;
        }

        /** One keep-alive connection with at most one call in flight. */
        private final class Connection extends ChannelInboundHandlerAdapter {
            private Channel channel;
            private Pending current;

            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                channel = ctx.channel();
            }

            void send(Pending call) {
                if (!channel.isActive()) {
                    call.future.completeExceptionally(new ClosedChannelException());
                    return;
                }
                current = call;
                channel.writeAndFlush(request(call.workload), channel.voidPromise());
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                FullHttpResponse response = (FullHttpResponse) msg;
                Pending call = current;
                current = null;
                Object result;
                Throwable failure = null;
                boolean reusable = response.decoderResult().isSuccess() && HttpUtil.isKeepAlive(response);
                try {
                    if (call == null) {
                        ctx.close();
                        return;
                    }
                    if (!response.decoderResult().isSuccess()) {
                        failure = new IOException(
                                "malformed HTTP response",
                                response.decoderResult().cause());
                        result = null;
                    } else if (!response.status().equals(HttpResponseStatus.OK)) {
                        failure = new IOException(response.content().toString(StandardCharsets.UTF_8));
                        result = null;
                    } else {
                        result = SidecarRequests.parse(call.workload, response.content());
                    }
                } catch (IOException | RuntimeException e) {
                    failure = e;
                    result = null;
                } finally {
                    response.release();
                }
                // Back to the pool before completing: the next call, started from the completion,
                // reuses this connection.
                if (reusable && !closed) {
                    idle.addLast(this);
                } else {
                    ctx.close();
                }
                if (failure != null) {
                    call.future.completeExceptionally(failure);
                } else {
                    call.future.complete(result);
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                idle.remove(this);
                Pending call = current;
                current = null;
                if (call != null) {
                    call.future.completeExceptionally(new ClosedChannelException());
                }
            }
        }

        @Override
        public void close() {
            loop.submit(() -> {
                        closed = true;
                        for (Connection c : idle) {
                            c.channel.close();
                        }
                        idle.clear();
                    })
                    .awaitUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            sidecar.close();
            registry.close();
        }
    }
}
