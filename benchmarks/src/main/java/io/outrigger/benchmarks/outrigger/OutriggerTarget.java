package io.outrigger.benchmarks.outrigger;

import io.outrigger.benchmarks.BenchmarkTarget;
import io.outrigger.benchmarks.Client;
import io.outrigger.benchmarks.RoundRobinClient;
import io.outrigger.benchmarks.RunningServer;
import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.StreamClient;
import io.outrigger.benchmarks.Workload;
import io.outrigger.benchmarks.proto.EchoMessage;
import io.outrigger.benchmarks.proto.ExistUserRequest;
import io.outrigger.benchmarks.proto.GetUserRequest;
import io.outrigger.benchmarks.proto.ListUserRequest;
import io.outrigger.core.client.EventLoops;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Outrigger with its default configuration: one multiplexed connection, native epoll, batched
 * flushes, a 5 s deadline on every call. Two variants:
 *
 * <ul>
 *   <li>{@code outrigger}: the service is written with asynchronous methods, which promise not to
 *       block, so the server runs them on the I/O thread; the client's stages complete on its I/O
 *       thread (the default).
 *   <li>{@code outrigger-blocking}: the service is written with plain methods, which may block, so
 *       the server runs them on its business thread pool (200 threads): the hand-off Dubbo and
 *       gRPC pay by default.
 * </ul>
 */
public final class OutriggerTarget implements BenchmarkTarget {

    /** The most connections to one provider a client opens ({@code connectionsPerEndpoint}'s range). */
    private static final int MAX_CONNECTIONS_PER_CLIENT = 64;

    private static final String STREAM_SERVICE = "outrigger.benchmarks.StreamBenchService";

    private final boolean blocking;

    private OutriggerTarget(boolean blocking) {
        this.blocking = blocking;
    }

    /** Asynchronous service methods (run on the I/O thread). */
    public static OutriggerTarget async() {
        return new OutriggerTarget(false);
    }

    /** Plain service methods (run on the business thread pool). */
    public static OutriggerTarget blocking() {
        return new OutriggerTarget(true);
    }

    @Override
    public String name() {
        return blocking ? "outrigger-blocking" : "outrigger";
    }

    @Override
    public String description() {
        return blocking
                ? "Outrigger defaults, plain service methods run on the business thread pool"
                : "Outrigger defaults, asynchronous service methods run on the I/O thread";
    }

    @Override
    public RunningServer startServer(int port) {
        BenchUserServices impl = new BenchUserServices();
        // The server streams' loops block while their client has no room: they get threads of their own.
        ExecutorService producers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "stream-producer");
            t.setDaemon(true);
            return t;
        });
        RpcServer server = RpcServer.builder()
                .host("127.0.0.1")
                .port(port)
                .service(BenchUserService.class, impl.async())
                .service(BlockingBenchUserService.class, impl)
                .service(StreamBenchService.class, new StreamBenchServiceImpl(producers))
                .build()
                .start();
        return new RunningServer() {
            @Override
            public int port() {
                return server.port();
            }

            @Override
            public void close() {
                server.shutdown(Duration.ofSeconds(1));
                producers.shutdownNow();
            }
        };
    }

    @Override
    public Client connect(String host, int port) {
        return client(clientBuilder(host, port));
    }

    /**
     * {@code connections} connections the way Outrigger's documentation offers them: up to 64 (the
     * most {@code connectionsPerEndpoint} allows) from one client with {@code connectionsPerEndpoint};
     * past that, as many clients as needed, each with up to 64 connections, all on one set of shared
     * I/O threads ({@code eventLoops}, as many as a client has by default).
     */
    @Override
    public Client connect(String host, int port, int connections) {
        if (connections <= MAX_CONNECTIONS_PER_CLIENT) {
            return client(clientBuilder(host, port).connectionsPerEndpoint(connections));
        }
        int clients = (connections + MAX_CONNECTIONS_PER_CLIENT - 1) / MAX_CONNECTIONS_PER_CLIENT;
        EventLoops loops =
                EventLoops.create(Math.min(4, Runtime.getRuntime().availableProcessors()), "outrigger-client");
        List<Client> all = new ArrayList<>(clients);
        for (int i = 0; i < clients; i++) {
            int share = connections / clients + (i < connections % clients ? 1 : 0);
            all.add(client(clientBuilder(host, port).eventLoops(loops).connectionsPerEndpoint(share)));
        }
        return new RoundRobinClient(all, loops::close);
    }

    /**
     * Outrigger's streaming API with its defaults, on a client of its own (one connection); only the
     * {@code outrigger} variant streams (streaming methods are non-blocking, there is no plain
     * variant).
     */
    @Override
    public StreamClient connectStreams(String host, int port) {
        if (blocking) {
            throw new UnsupportedOperationException(
                    "streaming methods are non-blocking by definition; measured by the outrigger target");
        }
        RpcClient client = RpcClient.builder()
                .registry(StaticRegistry.of(
                        ServiceInstance.builder(STREAM_SERVICE, host, port).build()))
                .build();
        return new OutriggerStreamClient(
                client, client.reference(StreamBenchService.class).build());
    }

    private RpcClient.Builder clientBuilder(String host, int port) {
        return RpcClient.builder()
                .registry(StaticRegistry.of(
                        ServiceInstance.builder(serviceName(), host, port).build()));
    }

    private Client client(RpcClient.Builder builder) {
        RpcClient client = builder.build();
        // The wire does not care how the server wrote the methods: one async interface calls both.
        BenchUserService users = client.reference(BenchUserService.class)
                .serviceName(serviceName())
                .build();
        return new OutriggerClient(client, users);
    }

    private String serviceName() {
        return blocking ? "bench.BlockingUserService" : "bench.UserService";
    }

    private static final class OutriggerClient implements Client {
        private static final ExistUserRequest EXIST_USER =
                ExistUserRequest.newBuilder().setEmail(SampleData.EMAIL).build();
        private static final GetUserRequest GET_USER =
                GetUserRequest.newBuilder().setId(SampleData.USER_ID).build();
        private static final ListUserRequest LIST_USER =
                ListUserRequest.newBuilder().setPageNo(SampleData.PAGE_NO).build();
        private static final EchoMessage ECHO =
                EchoMessage.newBuilder().setPayload(SampleData.echoByteString()).build();
        private static final EchoMessage ECHO_64K = SampleData.echoMessage(Workload.ECHO_64K);
        private static final EchoMessage ECHO_1M = SampleData.echoMessage(Workload.ECHO_1M);

        private final RpcClient client;
        private final BenchUserService users;

        OutriggerClient(RpcClient client, BenchUserService users) {
            this.client = client;
            this.users = users;
        }

        @Override
        public CompletableFuture<?> call(Workload workload) {
            return switch (workload) {
                case EXIST_USER -> users.existUser(EXIST_USER);
                case CREATE_USER -> users.createUser(SampleData.PROTO_USER);
                case GET_USER -> users.getUser(GET_USER);
                case LIST_USER -> users.listUser(LIST_USER);
                case ECHO_1K -> users.echo(ECHO);
                case ECHO_64K -> users.echo(ECHO_64K);
                case ECHO_1M -> users.echo(ECHO_1M);
            };
        }

        @Override
        public void close() {
            client.close();
        }
    }
}
