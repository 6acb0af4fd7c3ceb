package io.outrigger.benchmarks.netty;

import com.google.protobuf.MessageLite;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.collection.IntObjectHashMap;
import io.outrigger.benchmarks.BenchmarkTarget;
import io.outrigger.benchmarks.Client;
import io.outrigger.benchmarks.RoundRobinClient;
import io.outrigger.benchmarks.RunningServer;
import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.Workload;
import io.outrigger.benchmarks.internal.EventLoops;
import io.outrigger.benchmarks.proto.BoolResponse;
import io.outrigger.benchmarks.proto.EchoMessage;
import io.outrigger.benchmarks.proto.ExistUserRequest;
import io.outrigger.benchmarks.proto.GetUserRequest;
import io.outrigger.benchmarks.proto.ListUserRequest;
import io.outrigger.benchmarks.proto.Page;
import io.outrigger.benchmarks.proto.User;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The ceiling: hand-written length-prefixed protobuf frames ({@link Frames}) over one Netty channel.
 *
 * <p>The server handles every call on its event loop; the client writes from its event loop when the
 * previous call completed there. Both flush every {@value #EARLY_FLUSH} frames written during a read
 * batch and at its end: flushing only at the end made the two sides take turns on whole batches
 * (each half idle), which no ceiling should. One event-loop thread on each side, epoll on Linux;
 * several connections share the client's one loop.
 */
public final class NettyTarget implements BenchmarkTarget {

    private static final Workload[] WORKLOADS = Workload.values();
    /** Frames written during a read batch before a flush, so the peer starts on them at once. */
    static final int EARLY_FLUSH = 8;

    private static final BoolResponse TRUE =
            BoolResponse.newBuilder().setValue(true).build();
    private static final BoolResponse FALSE =
            BoolResponse.newBuilder().setValue(false).build();

    @Override
    public String name() {
        return "netty";
    }

    @Override
    public String description() {
        return "raw Netty " + EventLoops.transport()
                + ", length-prefixed protobuf frames, calls handled on the event loop (the ceiling)";
    }

    @Override
    public RunningServer startServer(int port) throws InterruptedException {
        EventLoopGroup boss = EventLoops.group(1, "netty-boss");
        EventLoopGroup worker = EventLoops.group(1, "netty-worker");
        Channel server = new ServerBootstrap()
                .group(boss, worker)
                .channel(EventLoops.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Frames.decoder(), new ServerHandler());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port))
                .sync()
                .channel();
        int boundPort = ((InetSocketAddress) server.localAddress()).getPort();
        return new RunningServer() {
            @Override
            public int port() {
                return boundPort;
            }

            @Override
            public void close() {
                server.close().awaitUninterruptibly();
                boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                worker.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            }
        };
    }

    @Override
    public Client connect(String host, int port) throws InterruptedException {
        EventLoopGroup group = EventLoops.group(1, "netty-client");
        try {
            return channel(group, host, port, true);
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** {@code connections} channels on one event loop, as a Netty application would open them. */
    @Override
    public Client connect(String host, int port, int connections) throws InterruptedException {
        if (connections == 1) {
            return connect(host, port);
        }
        EventLoopGroup group = EventLoops.group(1, "netty-client");
        List<Client> channels = new ArrayList<>(connections);
        try {
            for (int i = 0; i < connections; i++) {
                channels.add(channel(group, host, port, false));
            }
        } catch (RuntimeException | InterruptedException e) {
            channels.forEach(Client::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        return new RoundRobinClient(
                channels, () -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly());
    }

    private static NettyClient channel(EventLoopGroup group, String host, int port, boolean ownsGroup)
            throws InterruptedException {
        ClientHandler handler = new ClientHandler();
        Channel channel = new Bootstrap()
                .group(group)
                .channel(EventLoops.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Frames.decoder(), handler);
                    }
                })
                .connect(host, port)
                .sync()
                .channel();
        return new NettyClient(channel, ownsGroup ? group : null, handler);
    }

    /** Decodes a request, builds the response as the other servers do, and writes it. */
    private static final class ServerHandler extends ChannelInboundHandlerAdapter {
        private int unflushed;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
            ByteBuf frame = (ByteBuf) msg;
            MessageLite response;
            int callId;
            try {
                callId = frame.readInt();
                Workload workload = WORKLOADS[frame.readByte()];
                response = switch (workload) {
                    case EXIST_USER ->
                        SampleData.existUser(ExistUserRequest.parseFrom(Frames.input(frame))
                                        .getEmail())
                                ? TRUE
                                : FALSE;
                    case CREATE_USER -> User.parseFrom(Frames.input(frame)).getId() != 0 ? TRUE : FALSE;
                    case GET_USER ->
                        SampleData.protoUser(
                                GetUserRequest.parseFrom(Frames.input(frame)).getId());
                    case LIST_USER ->
                        SampleData.protoPage(
                                ListUserRequest.parseFrom(Frames.input(frame)).getPageNo());
                    case ECHO_1K, ECHO_64K, ECHO_1M -> EchoMessage.parseFrom(Frames.input(frame));
                };
            } finally {
                frame.release();
            }
            ctx.write(Frames.response(ctx.alloc(), callId, response), ctx.voidPromise());
            if (++unflushed == EARLY_FLUSH) {
                unflushed = 0;
                ctx.flush();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            unflushed = 0;
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Completes pending calls; everything here runs on the channel's event loop. */
    private static final class ClientHandler extends ChannelInboundHandlerAdapter {
        private final IntObjectHashMap<Pending> pending = new IntObjectHashMap<>();
        private Channel channel;
        private int nextCallId;
        private boolean reading;
        private boolean needsFlush;
        private boolean flushTaskQueued;
        /** Frames written since the last flush while deferring (event loop only). */
        private int deferred;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        /**
         * Sends a call that another thread handed to the event loop as a task. Instead of a flush per
         * call, the first such call queues one flush task behind it: the calls handed over meanwhile
         * (tasks run in order) leave in that one flush, as Netty applications and gRPC's write queue
         * do.
         */
        void sendHandedOver(Workload workload, MessageLite request, CompletableFuture<Object> future) {
            write(workload, request, future, true);
            if (!reading && needsFlush && !flushTaskQueued) {
                flushTaskQueued = true;
                channel.eventLoop().execute(this::flushHandedOver);
            }
        }

        private void flushHandedOver() {
            flushTaskQueued = false;
            deferred = 0;
            if (needsFlush && !reading) {
                needsFlush = false;
                channel.flush();
            }
        }

        void send(Workload workload, MessageLite request, CompletableFuture<Object> future) {
            // From channelRead (a completion starting the next call) channelReadComplete flushes the
            // whole batch; from a plain task, the write flushes at once.
            write(workload, request, future, reading);
        }

        private void write(
                Workload workload, MessageLite request, CompletableFuture<Object> future, boolean deferFlush) {
            if (!channel.isActive()) {
                future.completeExceptionally(new ClosedChannelException());
                return;
            }
            int callId = nextCallId++;
            pending.put(callId, new Pending(workload, future));
            ByteBuf frame = Frames.request(channel.alloc(), callId, workload.ordinal(), request);
            if (deferFlush && ++deferred == EARLY_FLUSH) {
                deferred = 0;
                needsFlush = false;
                channel.writeAndFlush(frame, channel.voidPromise());
            } else if (deferFlush) {
                channel.write(frame, channel.voidPromise());
                needsFlush = true;
            } else {
                channel.writeAndFlush(frame, channel.voidPromise());
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
            reading = true;
            ByteBuf frame = (ByteBuf) msg;
            Pending call;
            Object response;
            try {
                call = pending.remove(frame.readInt());
                if (call == null) {
                    throw new IOException("response to an unknown call");
                }
                response = switch (call.workload) {
                    case EXIST_USER, CREATE_USER ->
                        BoolResponse.parseFrom(Frames.input(frame)).getValue();
                    case GET_USER -> User.parseFrom(Frames.input(frame));
                    case LIST_USER -> Page.parseFrom(Frames.input(frame));
                    case ECHO_1K, ECHO_64K, ECHO_1M -> EchoMessage.parseFrom(Frames.input(frame));
                };
            } finally {
                frame.release();
            }
            call.future.complete(response);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            reading = false;
            deferred = 0;
            if (needsFlush) {
                needsFlush = false;
                ctx.flush();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ClosedChannelException closed = new ClosedChannelException();
            for (Pending call : pending.values()) {
                call.future.completeExceptionally(closed);
            }
            pending.clear();
        }
    }

    private record Pending(Workload workload, CompletableFuture<Object> future) {}

    private static final class NettyClient implements Client {
        private static final MessageLite[] REQUESTS = {
            ExistUserRequest.newBuilder().setEmail(SampleData.EMAIL).build(),
            SampleData.PROTO_USER,
            GetUserRequest.newBuilder().setId(SampleData.USER_ID).build(),
            ListUserRequest.newBuilder().setPageNo(SampleData.PAGE_NO).build(),
            EchoMessage.newBuilder().setPayload(SampleData.echoByteString()).build(),
            SampleData.echoMessage(Workload.ECHO_64K),
            SampleData.echoMessage(Workload.ECHO_1M),
        };

        private final Channel channel;
        private final EventLoopGroup group;
        private final ClientHandler handler;

        NettyClient(Channel channel, EventLoopGroup group, ClientHandler handler) {
            this.channel = channel;
            this.group = group;
            this.handler = handler;
        }

        @Override
        public CompletableFuture<?> call(Workload workload) {
            CompletableFuture<Object> future = new CompletableFuture<>();
            MessageLite request = REQUESTS[workload.ordinal()];
            EventLoop loop = channel.eventLoop();
            if (loop.inEventLoop()) {
                handler.send(workload, request, future);
            } else {
                loop.execute(() -> handler.sendHandedOver(workload, request, future));
            }
            return future;
        }

        @Override
        public void close() {
            channel.close().awaitUninterruptibly();
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
            }
        }
    }
}
