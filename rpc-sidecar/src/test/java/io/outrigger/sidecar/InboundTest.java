package io.outrigger.sidecar;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.Metadata;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.testing.EchoService;
import io.outrigger.serialization.ProtobufSerializer;
import io.outrigger.serialization.testing.proto.EchoReply;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A Java caller to python3 providers behind inbound sidecars: exports, health checks, forwarding. */
class InboundTest {

    StaticRegistry registry;
    Python.Provider appA;
    Python.Provider appB;
    Sidecar sidecarA;
    Sidecar sidecarB;
    RpcClient client;

    @BeforeEach
    void start() throws Exception {
        registry = new StaticRegistry();
        appA = Python.Provider.start("a");
        appB = Python.Provider.start("b");
        sidecarA = inbound(appA);
        sidecarB = inbound(appB);
        client = RpcClient.builder()
                .registry(registry)
                .defaultTimeout(Duration.ofSeconds(5))
                .build();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.instances("test.EchoService").size() == 2);
    }

    Sidecar inbound(Python.Provider app) {
        return Sidecar.start(
                SidecarConfig.builder()
                        .http("127.0.0.1:0")
                        .rpc("127.0.0.1:0")
                        .export("test.EchoService", URI.create(app.url()))
                        .healthInterval(Duration.ofMillis(100))
                        .healthFailures(1)
                        .propagationDelay(Duration.ZERO)
                        .build(),
                registry);
    }

    @AfterEach
    void stop() {
        client.close();
        sidecarA.close();
        sidecarB.close();
        appA.close();
        appB.close();
    }

    @Test
    void theSidecarRegistersTheExportWithItsRpcAddress() {
        assertThat(registry.instances("test.EchoService"))
                .extracting(ServiceInstance::address)
                .containsExactlyInAnyOrder("127.0.0.1:" + sidecarA.rpcPort(), "127.0.0.1:" + sidecarB.rpcPort());
    }

    @Test
    void aJavaCallerReachesThePythonProvidersWithItsMetadata() {
        EchoService echo = client.reference(EchoService.class)
                .header("tenant", "acme")
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
                .build();
        Set<String> providers = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            EchoReply reply = echo.echo(echoRequest("from java " + i));
            assertThat(reply.getText()).isEqualTo("from java " + i);
            String data = reply.getData().toStringUtf8();
            String headers = Python.field(data, "headers");
            assertThat(Python.field(headers, "x-outrigger-meta-tenant")).isEqualTo("acme");
            assertThat(Python.field(headers, "traceparent"))
                    .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
            assertThat(Long.parseLong(Python.field(headers, "x-outrigger-timeout-ms")))
                    .isBetween(1L, 5000L);
            providers.add(Python.field(data, "provider"));
        }
        assertThat(providers).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void theAppsErrorAnswersMapBackToStatuses() {
        RpcResponse denied = call("fail");
        assertThat(denied.status().code()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(denied.status().description()).isEqualTo("denied: x");

        RpcResponse teapot = call("teapot");
        assertThat(teapot.status().code()).isEqualTo(Status.Code.UNKNOWN);
        assertThat(teapot.status().description()).contains("HTTP 418").contains("teapot");

        RpcResponse missing = call("nothing");
        assertThat(missing.status().code()).isEqualTo(Status.Code.UNIMPLEMENTED);
    }

    @Test
    void anAppFailingItsHealthCheckIsUnregisteredAndCallsGoToTheOther() throws Exception {
        appA.healthy(false);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.instances("test.EchoService").size() == 1);
        assertThat(registry.instances("test.EchoService"))
                .extracting(ServiceInstance::port)
                .containsExactly(sidecarB.rpcPort());

        EchoService echo = client.refer(EchoService.class);
        for (int i = 0; i < 10; i++) {
            EchoReply reply = echo.echo(echoRequest("still " + i));
            assertThat(Python.field(reply.getData().toStringUtf8(), "provider")).isEqualTo("b");
        }
        // Called directly, the unhealthy app's sidecar refuses, and says why.
        RpcResponse refused = direct(sidecarA.rpcPort(), "echo");
        assertThat(refused.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(refused.status().description()).contains("health check");

        appA.healthy(true);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.instances("test.EchoService").size() == 2);
    }

    @Test
    void anAppThatStopsIsUnregisteredAndCallsKeepSucceeding() {
        appA.close();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> registry.instances("test.EchoService").size() == 1);

        EchoService echo = client.refer(EchoService.class);
        for (int i = 0; i < 5; i++) {
            assertThat(echo.echo(echoRequest("x")).getText()).isEqualTo("x");
        }
    }

    @Test
    void malformedBytesOnTheRpcPortDoNotStopIt() throws Exception {
        for (int i = 0; i < 3; i++) {
            try (Socket s = new Socket("127.0.0.1", sidecarA.rpcPort())) {
                OutputStream out = s.getOutputStream();
                out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
                out.write(new byte[] {0x4f, 0x52, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
                out.flush();
                s.setSoTimeout(2000);
                // Closed by the sidecar: an orderly end, or a reset when our unread garbage was discarded.
                int read;
                try {
                    read = s.getInputStream().read();
                } catch (java.net.SocketException reset) {
                    read = -1;
                }
                assertThat(read).isEqualTo(-1);
            }
        }

        RpcResponse response = direct(sidecarA.rpcPort(), "echo");

        assertThat(response.status()).isEqualTo(Status.OK);
    }

    @Test
    void aDeadlineTravelsToTheApp() {
        EchoService echo = client.reference(EchoService.class)
                .timeout(Duration.ofMillis(300))
                .build();
        long start = System.nanoTime();

        try {
            echo.echo(echoRequest("slow").toBuilder().setSleepMillis(2000).build());
            throw new AssertionError("expected DEADLINE_EXCEEDED");
        } catch (RpcException e) {
            assertThat(e.status().code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
    }

    @Test
    void aCallerThatCancelsMakesTheSidecarAbandonTheRequestToTheApp() throws Exception {
        java.util.concurrent.CompletableFuture<RpcResponse> call = client.invoker("test.EchoService")
                .invoke(new RpcRequest(
                        "test.EchoService",
                        "echo",
                        Metadata.empty(),
                        io.outrigger.core.Deadline.after(Duration.ofSeconds(30)),
                        Payload.encoded(
                                ProtobufSerializer.ID,
                                echoRequest("held").toBuilder()
                                        .setSleepMillis(20_000)
                                        .build()
                                        .toByteArray()),
                        io.outrigger.core.Attributes.empty()))
                .toCompletableFuture();
        await().atMost(Duration.ofSeconds(5)).until(() -> appA.stat("started") + appB.stat("started") == 1);

        assertThat(call.cancel(true)).isTrue();

        // The sidecar got the CANCEL frame and closed its request to the app, which stops sleeping.
        await().atMost(Duration.ofSeconds(5)).until(() -> appA.stat("abandoned") + appB.stat("abandoned") == 1);
        assertThat(appA.stat("calls") + appB.stat("calls")).isZero();
    }

    private RpcResponse call(String method) {
        return invoke(client, method);
    }

    private RpcResponse direct(int port, String method) {
        StaticRegistry one = StaticRegistry.of(
                ServiceInstance.builder("test.EchoService", "127.0.0.1", port).build());
        try (RpcClient c = RpcClient.builder().registry(one).build()) {
            return invoke(c, method);
        }
    }

    private static RpcResponse invoke(RpcClient c, String method) {
        try {
            return c.invoker("test.EchoService")
                    .invoke(new RpcRequest(
                            "test.EchoService",
                            method,
                            Metadata.empty(),
                            io.outrigger.core.Deadline.after(Duration.ofSeconds(5)),
                            Payload.encoded(
                                    ProtobufSerializer.ID, echoRequest("x").toByteArray()),
                            io.outrigger.core.Attributes.empty()))
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
