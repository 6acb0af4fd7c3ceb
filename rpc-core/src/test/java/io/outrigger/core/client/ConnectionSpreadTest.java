package io.outrigger.core.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.CallContext;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.HopService;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Several connections to one provider are all used, also by calls made on the client's I/O thread. */
class ConnectionSpreadTest {

    /** Records the client address (so: the connection) of every call. */
    static final class Recorder implements HopService {
        final Set<String> connections = ConcurrentHashMap.newKeySet();

        @Override
        public EchoReply hop(EchoRequest request, CallContext context) {
            connections.add(context.remoteAddress());
            return EchoReply.newBuilder().setText(request.getText()).build();
        }

        @Override
        public CompletionStage<EchoReply> hopAsync(EchoRequest request, CallContext context) {
            connections.add(context.remoteAddress());
            return CompletableFuture.completedFuture(
                    EchoReply.newBuilder().setText(request.getText()).build());
        }
    }

    @Test
    void callsChainedOnTheIoThreadTakeItsConnectionsInTurn() throws Exception {
        Recorder recorder = new Recorder();
        RpcServer server = RpcServer.builder()
                .host("127.0.0.1")
                .service(HopService.class, recorder)
                .build()
                .start();
        try (RpcClient client = RpcClient.builder()
                .registry(StaticRegistry.of(
                        ServiceInstance.builder("io.outrigger.core.testing.HopService", "127.0.0.1", server.port())
                                .build()))
                .ioThreads(1)
                .connectionsPerEndpoint(3)
                .build()) {
            HopService hops = client.refer(HopService.class);
            hops.hop(EchoRequest.newBuilder().setText("warm").build(), null); // connects all three
            recorder.connections.clear();

            // Each call after the first is made in the completion of the one before: on the I/O thread.
            CompletionStage<EchoReply> chain =
                    hops.hopAsync(EchoRequest.newBuilder().setText("0").build(), null);
            for (int i = 1; i < 30; i++) {
                String text = String.valueOf(i);
                chain = chain.thenCompose(r ->
                        hops.hopAsync(EchoRequest.newBuilder().setText(text).build(), null));
            }
            assertThat(chain.toCompletableFuture().get(10, TimeUnit.SECONDS).getText())
                    .isEqualTo("29");

            assertThat(recorder.connections).hasSize(3);
        } finally {
            server.shutdown(Duration.ZERO);
        }
    }
}
