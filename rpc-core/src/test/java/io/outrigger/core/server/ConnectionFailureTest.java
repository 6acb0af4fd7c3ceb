package io.outrigger.core.server;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.RequestMayHaveRunException;
import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.serialization.testing.proto.EchoReply;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConnectionFailureTest {

    @Test
    void providerNotListeningFailsFastWithUnavailableAndRecoversWhenItStarts() throws Exception {
        int port = freePort();
        StaticRegistry registry = StaticRegistry.of(
                ServiceInstance.builder("test.EchoService", "127.0.0.1", port).build());
        try (RpcClient client = RpcClient.builder()
                .registry(registry)
                .reconnectBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .build()) {
            EchoService echo = client.refer(EchoService.class);

            long start = System.nanoTime();
            assertThatThrownBy(() -> echo.echo(echoRequest("nobody home")))
                    .isInstanceOfSatisfying(RpcException.class, e -> {
                        assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("127.0.0.1:" + port).contains("not sent");
                    });
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(2000);

            RpcServer server = RpcServer.builder()
                    .host("127.0.0.1")
                    .port(port)
                    .service(EchoService.class, new EchoServiceImpl())
                    .build()
                    .start();
            try {
                await().atMost(Duration.ofSeconds(5))
                        .pollInterval(Duration.ofMillis(50))
                        .ignoreExceptions()
                        .until(() -> echo.echo(echoRequest("back")).getText().equals("back"));
            } finally {
                server.shutdown(Duration.ofSeconds(1));
            }
        }
    }

    @Test
    void providerDyingMidCallFailsTheCallWithUnavailableThatMayHaveRun() throws Exception {
        RpcServer server = RpcServer.builder()
                .host("127.0.0.1")
                .service(EchoService.class, new EchoServiceImpl())
                .build()
                .start();
        StaticRegistry registry =
                StaticRegistry.of(ServiceInstance.builder("test.EchoService", "127.0.0.1", server.port())
                        .build());
        try (RpcClient client = RpcClient.builder().registry(registry).build()) {
            EchoService echo = client.refer(EchoService.class);
            CompletableFuture<EchoReply> call = echo.echoAsync(
                            echoRequest("dies").toBuilder().setSleepMillis(2000).build())
                    .toCompletableFuture();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.inFlight() == 1);

            // No drain: the connection is cut while the call runs.
            server.shutdown(Duration.ZERO);

            assertThatThrownBy(() -> call.get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOfSatisfying(RpcException.class, e -> {
                        assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(RequestMayHaveRunException.mayHaveRun(e.status()))
                                .isTrue();
                        assertThat(e.getMessage()).contains("closed while the call was in flight");
                    });
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
