package io.outrigger.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.HeldPublisher;
import io.outrigger.core.testing.StreamService;
import io.outrigger.core.testing.TestSubscriber;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Streams under client governance: a stream is one call of the chain, judged by its outcome, not by
 * how long it lasts.
 */
class StreamGovernanceTest {

    private final List<RpcServer> servers = new ArrayList<>();
    private final StaticRegistry registry = new StaticRegistry();

    /** Holds every stream open until the test ends it; counts the streams it was given. */
    static final class Held implements StreamService {
        final AtomicInteger opened = new AtomicInteger();

        @Override
        public Flow.Publisher<EchoReply> hold(EchoRequest request) {
            opened.incrementAndGet();
            return new HeldPublisher(request.getText());
        }

        @Override
        public Flow.Publisher<EchoReply> count(EchoRequest request) {
            return hold(request);
        }

        @Override
        public CompletionStage<EchoReply> join(Flow.Publisher<EchoRequest> requests) {
            return new CompletableFuture<>();
        }

        @Override
        public Flow.Publisher<EchoReply> shout(Flow.Publisher<EchoRequest> requests) {
            return hold(EchoRequest.getDefaultInstance());
        }
    }

    @AfterEach
    void stop() {
        HeldPublisher.completeAll();
        servers.forEach(s -> s.shutdown(Duration.ZERO));
    }

    private Held provider() {
        Held service = new Held();
        RpcServer server = RpcServer.builder()
                .host("127.0.0.1")
                .service(StreamService.class, service)
                .build()
                .start();
        servers.add(server);
        registry.register(ServiceInstance.builder("test.Streams", "127.0.0.1", server.port())
                .build());
        return service;
    }

    @Test
    void longStreamsOutliveTheCallTimeoutTripNoSlowCallBreakerAndSpreadOverProviders() throws Exception {
        Held a = provider();
        Held b = provider();
        CircuitBreakerPolicy slowIsBad = CircuitBreakerPolicy.builder()
                .minimumCalls(2)
                .windowSize(10)
                .slowCalls(Duration.ofMillis(50), 50)
                .build();
        try (RpcClient client = ClientGovernance.builder()
                .timeout(Duration.ofMillis(100))
                .methodBreaker(slowIsBad)
                .endpointBreaker(slowIsBad)
                .build()
                .applyTo(RpcClient.builder().registry(registry))
                .build()) {
            StreamService streams = client.reference(StreamService.class).build();
            for (int round = 0; round < 3; round++) {
                List<TestSubscriber<EchoReply>> open = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    TestSubscriber<EchoReply> s = new TestSubscriber<>(Long.MAX_VALUE);
                    streams.hold(EchoRequest.newBuilder()
                                    .setText("r" + round + "-" + i)
                                    .build())
                            .subscribe(s);
                    open.add(s);
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> open.stream().allMatch(s -> s.items.size() == 1));
                // Held well past the 100 ms call timeout and the 50 ms slow-call line.
                await().pollDelay(Duration.ofMillis(250))
                        .atMost(Duration.ofSeconds(5))
                        .until(() -> true);
                assertThat(open).allMatch(s -> !s.done.isDone());
                HeldPublisher.completeAll();
                for (TestSubscriber<EchoReply> s : open) {
                    assertThat(s.done.get(10, TimeUnit.SECONDS))
                            .as("stream end")
                            .isNull();
                }
            }
        }
        // Every round's streams opened (no breaker refused one), and both providers got some.
        assertThat(a.opened.get() + b.opened.get()).isEqualTo(30);
        assertThat(a.opened.get()).isPositive();
        assertThat(b.opened.get()).isPositive();
    }
}
