package io.outrigger.benchmarks.grpc;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.outrigger.benchmarks.BenchmarkTarget;
import io.outrigger.benchmarks.Client;
import io.outrigger.benchmarks.RoundRobinClient;
import io.outrigger.benchmarks.RunningServer;
import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.StreamClient;
import io.outrigger.benchmarks.Workload;
import io.outrigger.benchmarks.internal.EventLoops;
import io.outrigger.benchmarks.proto.BoolResponse;
import io.outrigger.benchmarks.proto.EchoMessage;
import io.outrigger.benchmarks.proto.ExistUserRequest;
import io.outrigger.benchmarks.proto.GetUserRequest;
import io.outrigger.benchmarks.proto.ListUserRequest;
import io.outrigger.benchmarks.proto.UserServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * gRPC-java unary calls over grpc-netty, with the async stub.
 *
 * <p>Two variants: {@link #defaults()} leaves every executor at gRPC's defaults (the server runs
 * handlers on a cached thread pool, the client runs callbacks on another); {@link #direct()} runs
 * handlers and callbacks on the Netty event loops ({@code directExecutor()} on both sides) with one
 * event-loop thread per side, which is how gRPC is tuned for throughput.
 */
public final class GrpcTarget implements BenchmarkTarget {

    private final boolean direct;

    private GrpcTarget(boolean direct) {
        this.direct = direct;
    }

    /** gRPC as it comes: default executors and event loops. */
    public static GrpcTarget defaults() {
        return new GrpcTarget(false);
    }

    /** gRPC tuned: direct executors and one event-loop thread on each side. */
    public static GrpcTarget direct() {
        return new GrpcTarget(true);
    }

    @Override
    public String name() {
        return direct ? "grpc-direct" : "grpc";
    }

    @Override
    public String description() {
        return direct
                ? "gRPC-java, directExecutor() on server and client, 1 " + EventLoops.transport()
                        + " event loop per side"
                : "gRPC-java, default executors (handlers and callbacks on thread pools)";
    }

    @Override
    public RunningServer startServer(int port) throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
                .addService(new UserServiceImpl())
                .addService(new StreamBenchServiceImpl());
        EventLoopGroup boss = null;
        EventLoopGroup worker = null;
        if (direct) {
            boss = EventLoops.group(1, "grpc-boss");
            worker = EventLoops.group(1, "grpc-worker");
            builder.directExecutor()
                    .bossEventLoopGroup(boss)
                    .workerEventLoopGroup(worker)
                    .channelType(EventLoops.serverChannel());
        }
        Server server = builder.build().start();
        EventLoopGroup bossGroup = boss;
        EventLoopGroup workerGroup = worker;
        return new RunningServer() {
            @Override
            public int port() {
                return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
            }

            @Override
            public void close() {
                server.shutdownNow();
                try {
                    server.awaitTermination(2, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (bossGroup != null) {
                    bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                    workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                }
            }
        };
    }

    @Override
    public Client connect(String host, int port) {
        EventLoopGroup group = direct ? EventLoops.group(1, "grpc-client") : null;
        return new GrpcClient(channel(host, port, group), group);
    }

    /**
     * {@code connections} channels, as gRPC's documentation suggests for more than one connection
     * (a channel is one HTTP/2 connection to one address); with {@link #direct()} they share the one
     * client event loop, otherwise gRPC's default shared event loops.
     */
    @Override
    public Client connect(String host, int port, int connections) {
        if (connections == 1) {
            return connect(host, port);
        }
        EventLoopGroup group = direct ? EventLoops.group(1, "grpc-client") : null;
        List<Client> channels = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            channels.add(new GrpcClient(channel(host, port, group), null));
        }
        return new RoundRobinClient(channels, () -> {
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        });
    }

    /**
     * gRPC's streaming calls on a channel of their own, configured as this target's unary channel
     * (with {@link #direct()}: one event loop and {@code directExecutor()}).
     */
    @Override
    public StreamClient connectStreams(String host, int port) {
        EventLoopGroup group = direct ? EventLoops.group(1, "grpc-client") : null;
        return new GrpcStreamClient(channel(host, port, group), () -> {
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        });
    }

    private ManagedChannel channel(String host, int port, EventLoopGroup group) {
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(host, port).usePlaintext();
        if (direct) {
            builder.directExecutor().eventLoopGroup(group).channelType(EventLoops.socketChannel());
        }
        return builder.build();
    }

    private static final class GrpcClient implements Client {
        private static final ExistUserRequest EXIST_USER =
                ExistUserRequest.newBuilder().setEmail(SampleData.EMAIL).build();
        private static final GetUserRequest GET_USER =
                GetUserRequest.newBuilder().setId(SampleData.USER_ID).build();
        private static final ListUserRequest LIST_USER =
                ListUserRequest.newBuilder().setPageNo(SampleData.PAGE_NO).build();
        private static final EchoMessage ECHO =
                EchoMessage.newBuilder().setPayload(SampleData.echoByteString()).build();

        private final ManagedChannel channel;
        private final EventLoopGroup group;
        private final UserServiceGrpc.UserServiceStub stub;

        GrpcClient(ManagedChannel channel, EventLoopGroup group) {
            this.channel = channel;
            this.group = group;
            this.stub = UserServiceGrpc.newStub(channel);
        }

        @Override
        public CompletableFuture<?> call(Workload workload) {
            switch (workload) {
                case EXIST_USER -> {
                    UnaryFuture<BoolResponse> f = new UnaryFuture<>();
                    stub.existUser(EXIST_USER, f);
                    return f;
                }
                case CREATE_USER -> {
                    UnaryFuture<BoolResponse> f = new UnaryFuture<>();
                    stub.createUser(SampleData.PROTO_USER, f);
                    return f;
                }
                case GET_USER -> {
                    UnaryFuture<io.outrigger.benchmarks.proto.User> f = new UnaryFuture<>();
                    stub.getUser(GET_USER, f);
                    return f;
                }
                case LIST_USER -> {
                    UnaryFuture<io.outrigger.benchmarks.proto.Page> f = new UnaryFuture<>();
                    stub.listUser(LIST_USER, f);
                    return f;
                }
                case ECHO_1K, ECHO_64K, ECHO_1M -> {
                    UnaryFuture<EchoMessage> f = new UnaryFuture<>();
                    stub.echo(workload == Workload.ECHO_1K ? ECHO : SampleData.echoMessage(workload), f);
                    return f;
                }
                default -> throw new IllegalArgumentException(workload.label());
            }
        }

        @Override
        public void close() {
            channel.shutdownNow();
            try {
                channel.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (group != null) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            }
        }
    }

    /** Adapts a unary response observer to a future. */
    private static final class UnaryFuture<T> extends CompletableFuture<T> implements StreamObserver<T> {
        private T value;

        @Override
        public void onNext(T value) {
            this.value = value;
        }

        @Override
        public void onError(Throwable t) {
            completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            complete(value);
        }
    }
}
