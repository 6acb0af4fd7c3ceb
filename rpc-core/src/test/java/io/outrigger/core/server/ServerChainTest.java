package io.outrigger.core.server;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.core.Interceptor;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.ServerExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The server chain over real sockets: its slots run in the documented order whatever order they were
 * set in, on the thread the method runs on, and a built server ignores later changes to its builder.
 */
class ServerChainTest {

    /** What each interceptor saw: its name, and the thread it ran on. */
    static final List<String> seen = new CopyOnWriteArrayList<>();

    static final List<String> threads = new CopyOnWriteArrayList<>();

    static Interceptor recording(String name) {
        return (request, next) -> {
            seen.add(name);
            threads.add(Thread.currentThread().getName());
            return next.invoke(request);
        };
    }

    static Interceptor refusing(String why) {
        return (request, next) ->
                CompletableFuture.completedFuture(RpcResponse.failure(Status.PERMISSION_DENIED.withDescription(why)));
    }

    /** The setters are called in an order unlike the chain's, and some twice. */
    @RegisterExtension
    static final ServerExtension server = new ServerExtension(b -> b.service(EchoService.class, new EchoServiceImpl())
            .service("test.Generic", request -> {
                seen.add("service");
                return CompletableFuture.completedFuture(RpcResponse.ok(Payload.encoded((byte) 1, new byte[] {42})));
            })
            .interceptor(recording("user-1"))
            .limits(recording("replaced limits"))
            .limits(recording("limit-1"), recording("limit-2"))
            .interceptor(recording("user-2"))
            .auth(recording("auth"))
            .accessLog(recording("access log"))
            .metrics(recording("metrics"))
            .tracing(recording("replaced tracing"))
            .tracing(recording("tracing")));

    @BeforeEach
    void clear() {
        seen.clear();
        threads.clear();
    }

    @Test
    void slotsRunInTheDocumentedOrderWhateverOrderTheyWereSetIn() {
        EchoService echo = server.client().refer(EchoService.class);

        assertThat(echo.echo(echoRequest("hi")).getText()).isEqualTo("hi");

        assertThat(seen)
                .containsExactly("tracing", "metrics", "access log", "auth", "limit-1", "limit-2", "user-1", "user-2");
    }

    @Test
    void interceptorsRunOnTheBusinessExecutorForBlockingMethods() {
        server.client().refer(EchoService.class).echo(echoRequest("blocking"));

        assertThat(threads).hasSize(8).allMatch(t -> t.startsWith("outrigger-worker-"), "a worker thread");
    }

    @Test
    void interceptorsRunOnTheEventLoopForAsynchronousMethodsAndGenericServices() {
        server.client()
                .refer(EchoService.class)
                .echoAsync(echoRequest("async"))
                .toCompletableFuture()
                .join();
        RpcResponse generic = server.client()
                .invoker("test.Generic")
                .invoke(RpcRequest.of("test.Generic", "anything", Payload.encoded((byte) 1, new byte[0])))
                .toCompletableFuture()
                .join();

        assertThat(generic.isOk()).isTrue();
        assertThat(seen.subList(8, seen.size())).endsWith("user-2", "service");
        assertThat(threads).hasSize(16).allMatch(t -> t.startsWith("outrigger-server-io-"), "an event loop");
    }

    @Test
    void emptiedSlotsAreSkipped() {
        RpcServer.Builder b = RpcServer.builder()
                .host("127.0.0.1")
                .service(EchoService.class, new EchoServiceImpl())
                .tracing(refusing("tracing"))
                .metrics(refusing("metrics"))
                .accessLog(refusing("access log"))
                .auth(refusing("auth"))
                .limits(refusing("limits"))
                .tracing(null)
                .metrics(null)
                .accessLog(null)
                .auth(null)
                .limits()
                .interceptor(recording("user"));
        RpcServer started = b.build().start();
        try (RpcClient client = clientOf(started)) {
            assertThat(client.refer(EchoService.class).echo(echoRequest("x")).getText())
                    .isEqualTo("x");
            assertThat(seen).containsExactly("user");
        } finally {
            started.shutdown(Duration.ZERO);
        }
    }

    @Test
    void aBuiltServerIgnoresLaterChangesToItsBuilder() throws Exception {
        StaticRegistry later = new StaticRegistry();
        RpcServer.Builder b = RpcServer.builder()
                .host("127.0.0.1")
                .port(0)
                .propagationDelay(Duration.ZERO)
                .service(EchoService.class, new EchoServiceImpl())
                .interceptor(recording("before build"));
        RpcServer built = b.build();
        RpcServer started = null;
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            b.port(taken.getLocalPort()) // would fail start() if read now: the port is taken
                    .registry(later)
                    .service("test.Later", request -> CompletableFuture.completedFuture(RpcResponse.ok(Payload.EMPTY)))
                    .tracing(refusing("tracing set after build"))
                    .auth(refusing("auth set after build"))
                    .limits(refusing("limits set after build"))
                    .interceptor(refusing("interceptor added after build"))
                    .nonBlockingOnEventLoop(false);

            started = built.start();

            assertThat(started.port()).isNotEqualTo(taken.getLocalPort());
            assertThat(started.serviceNames()).containsExactly("test.EchoService");
            assertThat(started.instances()).isEmpty();
            assertThat(later.instances("test.EchoService")).isEmpty();
            try (RpcClient client = clientOf(started)) {
                EchoService echo = client.refer(EchoService.class);
                assertThat(echo.echo(echoRequest("still mine")).getText()).isEqualTo("still mine");
                assertThat(seen).containsExactly("before build");
                echo.echoAsync(echoRequest("async")).toCompletableFuture().join();
                assertThat(threads.get(1)).startsWith("outrigger-server-io-"); // nonBlockingOnEventLoop still on
            }
        } finally {
            if (started != null) {
                started.shutdown(Duration.ZERO);
            }
        }

        // The builder itself did change: the next server has the new settings.
        RpcServer next = b.port(0).build().start();
        try (RpcClient client = clientOf(next)) {
            assertThat(next.serviceNames()).containsExactly("test.EchoService", "test.Later");
            assertThatThrownBy(() -> client.refer(EchoService.class).echo(echoRequest("refused")))
                    .isInstanceOfSatisfying(
                            RpcException.class,
                            e -> assertThat(e.status().description()).contains("tracing set after build"));
        } finally {
            next.shutdown(Duration.ZERO);
        }
    }

    private static RpcClient clientOf(RpcServer server) {
        StaticRegistry registry = new StaticRegistry();
        for (String service : server.serviceNames()) {
            registry.register(
                    ServiceInstance.builder(service, "127.0.0.1", server.port()).build());
        }
        return RpcClient.builder().registry(registry).build();
    }
}
