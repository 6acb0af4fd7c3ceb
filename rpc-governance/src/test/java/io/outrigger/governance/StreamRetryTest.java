package io.outrigger.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.stream.Streams;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A stream refused before it opened (not run) is retried on another provider, with the caller's
 * publisher moved to the new attempt, not subscribed again.
 */
class StreamRetryTest {

    private final List<RpcServer> servers = new ArrayList<>();
    private final StaticRegistry registry = new StaticRegistry();
    private final ExecutorService producers = Executors.newCachedThreadPool();

    /** Holds streams open; joins client streams; counts both. */
    static final class Service implements StreamService {
        final AtomicInteger held = new AtomicInteger();
        final AtomicInteger joined = new AtomicInteger();

        @Override
        public Flow.Publisher<EchoReply> hold(EchoRequest request) {
            held.incrementAndGet();
            return new HeldPublisher(request.getText());
        }

        @Override
        public CompletionStage<EchoReply> join(Flow.Publisher<EchoRequest> requests) {
            joined.incrementAndGet();
            CompletableFuture<EchoReply> answer = new CompletableFuture<>();
            requests.subscribe(new Flow.Subscriber<>() {
                final StringBuilder texts = new StringBuilder();

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(EchoRequest item) {
                    texts.append(item.getText());
                }

                @Override
                public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                }

                @Override
                public void onComplete() {
                    answer.complete(
                            EchoReply.newBuilder().setText(texts.toString()).build());
                }
            });
            return answer;
        }

        @Override
        public Flow.Publisher<EchoReply> count(EchoRequest request) {
            return hold(request);
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
        producers.shutdownNow();
    }

    private Service provider(int maxStreams) {
        Service service = new Service();
        RpcServer server = RpcServer.builder()
                .host("127.0.0.1")
                .service(StreamService.class, service)
                .maxStreamsPerConnection(maxStreams)
                .build()
                .start();
        servers.add(server);
        registry.register(ServiceInstance.builder("test.Streams", "127.0.0.1", server.port())
                .build());
        return service;
    }

    @Test
    void aStreamRefusedBeforeItOpenedIsOpenedOnAnotherProviderWithTheCallersMessages() throws Exception {
        Service full = provider(1); // one stream per connection: full once one is held
        Service roomy = provider(10_000);
        try (RpcClient client = ClientGovernance.builder()
                .loadBalancing(LoadBalancing.ROUND_ROBIN)
                // A full provider's refusal is RESOURCE_EXHAUSTED, not run: retried only when asked (as for unary
                // calls).
                .retryPolicy(RetryPolicy.builder()
                        .retryOn(
                                io.outrigger.core.Status.Code.UNAVAILABLE,
                                io.outrigger.core.Status.Code.RESOURCE_EXHAUSTED)
                        .build())
                .build()
                .applyTo(RpcClient.builder().registry(registry))
                .build()) {
            StreamService streams = client.reference(StreamService.class).build();
            // Hold streams until one sits on the small provider: from then on it refuses every new one.
            List<TestSubscriber<EchoReply>> held = new ArrayList<>();
            for (int i = 0; i < 20 && full.held.get() == 0; i++) {
                TestSubscriber<EchoReply> s = new TestSubscriber<>(1);
                streams.hold(EchoRequest.newBuilder().setText("h" + i).build()).subscribe(s);
                held.add(s);
                await().atMost(Duration.ofSeconds(10)).until(() -> s.items.size() == 1 || s.done.isDone());
            }
            assertThat(full.held).hasValue(1);

            for (int i = 0; i < 10; i++) {
                String[] parts = {"a" + i, "b" + i, "c" + i};
                Flow.Publisher<EchoRequest> abc = Streams.publisher(producers, sink -> {
                    for (String p : parts) {
                        sink.send(EchoRequest.newBuilder().setText(p).build());
                    }
                });
                EchoReply reply = streams.join(abc).toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(reply.getText()).isEqualTo("a" + i + "b" + i + "c" + i);
            }
            // Round robin sent about half of them to the full provider first: all were joined elsewhere.
            assertThat(full.joined).hasValue(0);
            assertThat(roomy.joined).hasValue(10);
        }
    }
}
