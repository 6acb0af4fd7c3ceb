package io.outrigger.core.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.internal.stream.InboundMessages;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.HeldPublisher;
import io.outrigger.core.testing.LeakDetectionExtension;
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
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each kind of stream over a real socket: order, flow control, ends, failures and cancellation. */
@ExtendWith(LeakDetectionExtension.class)
class StreamingTest {

    static final ExecutorService producers = Executors.newCachedThreadPool();
    static final Streams_ service = new Streams_();
    static RpcServer server;
    static RpcClient client;
    static StreamService streams;

    /** The server side: counts what it produced and whether its producers saw a cancellation. */
    static final class Streams_ implements StreamService {
        final AtomicInteger produced = new AtomicInteger();
        final AtomicInteger cancelled = new AtomicInteger();
        final CompletableFuture<Integer> joinedCount = new CompletableFuture<>();

        @Override
        public Flow.Publisher<EchoReply> count(EchoRequest request) {
            return Streams.publisher(producers, sink -> {
                try {
                    for (int i = 0; i < request.getSleepMillis(); i++) {
                        if (i == 5 && request.getText().equals("fail")) {
                            throw RpcException.of(Status.FAILED_PRECONDITION.withDescription("no sixth for you"));
                        }
                        sink.send(EchoReply.newBuilder()
                                .setText(request.getText() + "-" + i)
                                .build());
                        produced.incrementAndGet();
                    }
                } catch (java.util.concurrent.CancellationException e) {
                    cancelled.incrementAndGet();
                    throw e;
                }
            });
        }

        @Override
        public CompletionStage<EchoReply> join(Flow.Publisher<EchoRequest> requests) {
            CompletableFuture<EchoReply> answer = new CompletableFuture<>();
            requests.subscribe(new Flow.Subscriber<>() {
                final List<String> texts = new ArrayList<>();
                Flow.Subscription s;

                @Override
                public void onSubscribe(Flow.Subscription s) {
                    this.s = s;
                    s.request(1); // one at a time: the client must wait for credit
                }

                @Override
                public void onNext(EchoRequest item) {
                    texts.add(item.getText());
                    s.request(1);
                }

                @Override
                public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                }

                @Override
                public void onComplete() {
                    answer.complete(EchoReply.newBuilder()
                            .setText(String.join(",", texts))
                            .build());
                }
            });
            return answer;
        }

        @Override
        public Flow.Publisher<EchoReply> hold(EchoRequest request) {
            return new HeldPublisher(request.getText());
        }

        @Override
        public Flow.Publisher<EchoReply> shout(Flow.Publisher<EchoRequest> requests) {
            return subscriber -> requests.subscribe(new Flow.Subscriber<EchoRequest>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    subscriber.onSubscribe(s); // demand passes straight through: one reply per request
                }

                @Override
                public void onNext(EchoRequest item) {
                    subscriber.onNext(EchoReply.newBuilder()
                            .setText(item.getText().toUpperCase())
                            .build());
                }

                @Override
                public void onError(Throwable t) {
                    subscriber.onError(t);
                }

                @Override
                public void onComplete() {
                    subscriber.onComplete();
                }
            });
        }
    }

    @BeforeAll
    static void start() {
        server = RpcServer.builder()
                .host("127.0.0.1")
                .service(StreamService.class, service)
                .maxStreamsPerConnection(50)
                .drainTimeout(Duration.ofMillis(300))
                .build()
                .start();
        client = RpcClient.builder()
                .registry(StaticRegistry.of(ServiceInstance.builder("test.Streams", "127.0.0.1", server.port())
                        .build()))
                .build();
        streams = client.reference(StreamService.class).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        server.shutdown();
        producers.shutdownNow();
    }

    @BeforeEach
    void reset() {
        service.produced.set(0);
        service.cancelled.set(0);
    }

    private static EchoRequest count(String text, int n) {
        return EchoRequest.newBuilder().setText(text).setSleepMillis(n).build();
    }

    private static Throwable awaitEnd(TestSubscriber<?> s) throws Exception {
        return s.done.get(20, TimeUnit.SECONDS);
    }

    @Test
    void aServerStreamArrivesWholeAndInOrder() throws Exception {
        TestSubscriber<EchoReply> s = new TestSubscriber<>(Long.MAX_VALUE);
        streams.count(count("n", 2_000)).subscribe(s);

        assertThat(awaitEnd(s)).isNull();
        assertThat(s.items)
                .extracting(EchoReply::getText)
                .containsExactlyElementsOf(
                        IntStream.range(0, 2_000).mapToObj(i -> "n-" + i).toList());
    }

    @Test
    void aSlowConsumerMakesTheProducerWait() throws Exception {
        TestSubscriber<EchoReply> s = new TestSubscriber<>(10);
        streams.count(count("slow", 5_000)).subscribe(s);

        await().atMost(Duration.ofSeconds(10)).until(() -> s.items.size() == 10);
        // The server may run ahead of the consumer only by the window the client grants.
        int bound = 10 + InboundMessages.MAX_WINDOW + 1;
        await().during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(5))
                .until(() -> service.produced.get() <= bound && s.items.size() == 10);

        s.request(Long.MAX_VALUE);
        assertThat(awaitEnd(s)).isNull();
        assertThat(s.items).hasSize(5_000);
    }

    @Test
    void aFailureMidStreamArrivesAfterTheMessagesBeforeIt() throws Exception {
        TestSubscriber<EchoReply> s = new TestSubscriber<>(Long.MAX_VALUE);
        streams.count(count("fail", 100)).subscribe(s);

        Throwable error = awaitEnd(s);
        assertThat(s.items)
                .extracting(EchoReply::getText)
                .containsExactly("fail-0", "fail-1", "fail-2", "fail-3", "fail-4");
        assertThat(error).isInstanceOf(RpcException.class);
        assertThat(((RpcException) error).status().code()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(error).hasMessageContaining("no sixth for you");
    }

    @Test
    void aConsumerThatCancelsStopsTheProducer() throws Exception {
        TestSubscriber<EchoReply> s = new TestSubscriber<>(Long.MAX_VALUE);
        s.cancelAfter = 3;
        streams.count(count("stop", 1_000_000)).subscribe(s);

        await().atMost(Duration.ofSeconds(10)).until(() -> service.cancelled.get() == 1);
        int producedAtCancel = service.produced.get();
        assertThat(producedAtCancel).isLessThan(1_000_000);
        assertThat(s.done).isNotDone(); // a cancelled subscriber hears nothing more
    }

    @Test
    void aClientStreamIsAnsweredOnceAtItsEnd() throws Exception {
        List<String> texts = IntStream.range(0, 200).mapToObj(i -> "t" + i).toList();
        Flow.Publisher<EchoRequest> requests = Streams.publisher(producers, sink -> {
            for (String t : texts) {
                sink.send(EchoRequest.newBuilder().setText(t).build());
            }
        });

        EchoReply reply = streams.join(requests).toCompletableFuture().get(20, TimeUnit.SECONDS);

        assertThat(reply.getText()).isEqualTo(String.join(",", texts));
    }

    @Test
    void aClientStreamThatFailsCancelsTheCall() {
        Flow.Publisher<EchoRequest> requests = Streams.publisher(producers, sink -> {
            sink.send(EchoRequest.newBuilder().setText("a").build());
            throw new IllegalStateException("disk on fire");
        });

        CompletableFuture<EchoReply> reply = streams.join(requests).toCompletableFuture();

        await().atMost(Duration.ofSeconds(10)).until(reply::isDone);
        assertThat(reply).isCompletedExceptionally();
        Throwable cause = reply.handle((r, e) -> e.getCause()).join();
        assertThat(cause).isInstanceOf(RpcException.class).hasMessageContaining("disk on fire");
    }

    @Test
    void aBidirectionalStreamAnswersAsRequestsCome() throws Exception {
        List<String> texts = IntStream.range(0, 300).mapToObj(i -> "m" + i).toList();
        Flow.Publisher<EchoRequest> requests = Streams.publisher(producers, sink -> {
            for (String t : texts) {
                sink.send(EchoRequest.newBuilder().setText(t).build());
            }
        });
        TestSubscriber<EchoReply> s = new TestSubscriber<>(Long.MAX_VALUE);
        streams.shout(requests).subscribe(s);

        assertThat(awaitEnd(s)).isNull();
        assertThat(s.items)
                .extracting(EchoReply::getText)
                .containsExactlyElementsOf(
                        texts.stream().map(String::toUpperCase).collect(Collectors.toList()));
    }

    @Test
    void streamsPastTheConnectionsLimitAreRefusedAndTheRestGoOn() throws Exception {
        List<TestSubscriber<EchoReply>> open = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            TestSubscriber<EchoReply> s = new TestSubscriber<>(1); // one message, then it waits
            streams.count(count("hold" + i, 1_000)).subscribe(s);
            open.add(s);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> open.stream().allMatch(s -> s.items.size() == 1));

        TestSubscriber<EchoReply> refused = new TestSubscriber<>(1);
        streams.count(count("one-too-many", 10)).subscribe(refused);
        Throwable error = awaitEnd(refused);
        assertThat(error).isInstanceOf(RpcException.class);
        assertThat(((RpcException) error).status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(error).hasMessageContaining("maxStreamsPerConnection");

        open.forEach(TestSubscriber::cancel);
        await().atMost(Duration.ofSeconds(10)).until(() -> service.cancelled.get() >= 50);
        TestSubscriber<EchoReply> after = new TestSubscriber<>(Long.MAX_VALUE);
        streams.count(count("after", 3)).subscribe(after);
        assertThat(awaitEnd(after)).isNull();
        assertThat(after.items).hasSize(3);
    }
}
