package io.outrigger.core.server;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.ServerExtension;
import io.outrigger.serialization.testing.proto.EchoReply;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ServerRobustnessTest {

    final EchoServiceImpl impl = new EchoServiceImpl();

    @RegisterExtension
    final ServerExtension server = new ServerExtension(
            b -> b.service(EchoService.class, impl).workerThreads(2).queueCapacity(2));

    @Test
    void garbageBytesCloseThatConnectionAndTheServerKeepsServingOthers() throws Exception {
        EchoService echo = server.client().refer(EchoService.class);
        assertThat(echo.echo(echoRequest("before")).getText()).isEqualTo("before");

        assertThat(sendAndAwaitClose("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes()))
                .isTrue();

        assertThat(echo.echo(echoRequest("after")).getText()).isEqualTo("after");
    }

    @Test
    void hugeDeclaredLengthClosesThatConnectionWithoutAllocatingIt() throws Exception {
        EchoService echo = server.client().refer(EchoService.class);
        byte[] header = new byte[24];
        header[0] = 0x4f;
        header[1] = 0x52;
        header[2] = 1;
        header[4] = 1;
        header[7] = 3; // path length 3
        header[11] = 1; // request id 1
        header[20] = 0x7f; // body length 2 GB
        header[21] = (byte) 0xff;

        assertThat(sendAndAwaitClose(header)).isTrue();

        assertThat(echo.echo(echoRequest("fine")).getText()).isEqualTo("fine");
    }

    @Test
    void saturatedExecutorAnswersResourceExhaustedAtOnce() throws Exception {
        EchoService echo = server.client().refer(EchoService.class);
        assertThat(echo.echo(echoRequest("connect first")).getText()).isEqualTo("connect first");
        // 2 threads + 2 queue slots: of 10 concurrent slow calls, at most 4 can be taken.
        List<CompletableFuture<EchoReply>> slow = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            slow.add(CompletableFuture.supplyAsync(() -> echo.echo(
                    echoRequest("busy").toBuilder().setSleepMillis(500).build())));
        }
        int ok = 0;
        int exhausted = 0;
        for (CompletableFuture<EchoReply> f : slow) {
            try {
                f.get(5, TimeUnit.SECONDS);
                ok++;
            } catch (ExecutionException e) {
                RpcException rpc = (RpcException) e.getCause();
                assertThat(rpc.status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(rpc.getMessage()).contains("server busy").contains("2 worker threads and 2 queue slots");
                exhausted++;
            }
        }
        assertThat(ok).isBetween(2, 4);
        assertThat(exhausted).isEqualTo(10 - ok);
        // The count drops once the answer is written, which may be just after the caller read it.
        await().atMost(Duration.ofSeconds(5)).until(() -> server.server().inFlight() == 0);
    }

    @Test
    void gracefulShutdownWithCallsInFlightLosesNone() throws Exception {
        EchoService echo = server.client().refer(EchoService.class);
        List<CompletableFuture<EchoReply>> inFlight = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            inFlight.add(echo.echoAsync(echoRequest("in-flight-" + i).toBuilder()
                            .setSleepMillis(300)
                            .build())
                    .toCompletableFuture());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.server().inFlight() == 3);

        int lost = server.server().shutdown(Duration.ofSeconds(5));

        assertThat(lost).isZero();
        for (int i = 0; i < 3; i++) {
            assertThat(inFlight.get(i).get(5, TimeUnit.SECONDS).getText()).isEqualTo("in-flight-" + i);
        }
        assertThat(impl.completed.get()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void afterShutdownNewCallsFailUnavailableSafeToRetry() {
        EchoService echo = server.client().refer(EchoService.class);
        assertThat(echo.echo(echoRequest("one")).getText()).isEqualTo("one");

        server.server().shutdown(Duration.ofSeconds(1));

        try {
            echo.echo(echoRequest("two"));
            throw new AssertionError("expected a failure");
        } catch (RpcException e) {
            assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
            // Either the client saw the closing frame first (not sent), or its request crossed it (not run).
            assertThat(e.status().description()).containsAnyOf("not sent", "not run");
            assertThat(io.outrigger.core.RequestMayHaveRunException.mayHaveRun(e.status()))
                    .isFalse();
        }
    }

    @Test
    void serverWithRegistryUnregistersBeforeItStops() {
        StaticRegistry registry = new StaticRegistry();
        RpcServer s = RpcServer.builder()
                .host("127.0.0.1")
                .service(EchoService.class, impl)
                .registry(registry)
                .propagationDelay(Duration.ofMillis(50))
                .instance(b -> b.version("1.2.0").tags("canary"))
                .build()
                .start();
        ServiceInstance announced = registry.instances("test.EchoService").get(0);
        assertThat(announced.host()).isEqualTo("127.0.0.1");
        assertThat(announced.port()).isEqualTo(s.port());
        assertThat(announced.version()).isEqualTo("1.2.0");
        assertThat(announced.tags()).containsExactly("canary");

        try (RpcClient client = RpcClient.builder().registry(registry).build()) {
            assertThat(client.refer(EchoService.class)
                            .echo(echoRequest("via registry"))
                            .getText())
                    .isEqualTo("via registry");
        }
        s.shutdown();

        assertThat(registry.instances("test.EchoService")).isEmpty();
    }

    /** Sends {@code bytes} on a new connection and reports whether the server closed it. */
    private boolean sendAndAwaitClose(byte[] bytes) throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
            socket.setSoTimeout(3000);
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            return in.read() == -1;
        }
    }
}
