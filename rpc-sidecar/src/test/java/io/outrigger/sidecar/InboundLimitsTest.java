package io.outrigger.sidecar;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.Attributes;
import io.outrigger.core.Deadline;
import io.outrigger.core.Metadata;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.auth.BearerToken;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.serialization.ProtobufSerializer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits slot of the sidecar's inbound server, with a python3 app behind it: a concurrency
 * limit refuses the call past it without forwarding it, after the access control.
 */
class InboundLimitsTest {

    @TempDir
    Path dir;

    @Test
    void aConcurrencyLimitRefusesCallsPastItAfterTheAccessControl() throws Exception {
        Path tokens = Files.writeString(dir.resolve("rpc.tokens"), "billing t-billing\n");
        StaticRegistry registry = new StaticRegistry();
        try (Python.Provider app = Python.Provider.start("limited");
                Sidecar sidecar = Sidecar.start(
                        SidecarConfig.parse(
                                "--http", "127.0.0.1:0",
                                "--rpc", "127.0.0.1:0",
                                "--export", "test.EchoService=" + URI.create(app.url()),
                                "--health-interval-ms", "100",
                                "--propagation-delay-ms", "0",
                                "--rpc-token-file", tokens.toString(),
                                "--rpc-allow", "test.EchoService/*=billing",
                                "--rpc-concurrency-limit", "test.EchoService/*=1"),
                        registry);
                RpcClient billing = RpcClient.builder()
                        .registry(registry)
                        .interceptor(BearerToken.interceptor("t-billing"))
                        .build();
                RpcClient anonymous = RpcClient.builder().registry(registry).build()) {
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !registry.instances("test.EchoService").isEmpty());

            assertThat(echo(billing, 0).join().isOk()).isTrue(); // the connection is up

            // One call in flight at the app takes the only slot (the next call, on the same
            // connection, is read after it).
            CompletableFuture<RpcResponse> slow = echo(billing, 1500);
            RpcResponse refused = echo(billing, 0).join();
            assertThat(refused.status().code())
                    .as("the second call; the first: %s", slow.getNow(null))
                    .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(refused.status().description())
                    .startsWith("concurrency limit of test.EchoService (all methods) reached: 1 calls in flight")
                    .contains("caller 'billing'");

            // While the slot is taken, an anonymous caller is refused by the access control, which
            // runs first: it never reaches the limit.
            RpcResponse stranger = echo(anonymous, 0).join();
            assertThat(stranger.status().code()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(slow).isNotDone();

            assertThat(slow.join().isOk()).isTrue();
            assertThat(echo(billing, 0).join().isOk()).isTrue(); // the slot is free again
        }
    }

    private static CompletableFuture<RpcResponse> echo(RpcClient client, long sleepMillis) {
        return client.invoker("test.EchoService")
                .invoke(new RpcRequest(
                        "test.EchoService",
                        "echo",
                        Metadata.empty(),
                        Deadline.after(Duration.ofSeconds(5)),
                        Payload.encoded(
                                ProtobufSerializer.ID,
                                echoRequest("x").toBuilder()
                                        .setSleepMillis(sleepMillis)
                                        .build()
                                        .toByteArray()),
                        Attributes.empty()))
                .toCompletableFuture();
    }
}
