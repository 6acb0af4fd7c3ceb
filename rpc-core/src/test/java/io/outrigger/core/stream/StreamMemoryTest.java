package io.outrigger.core.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.netty.buffer.PooledByteBufAllocator;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.internal.stream.InboundMessages;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.Heap;
import io.outrigger.core.testing.HeldPublisher;
import io.outrigger.core.testing.StreamService;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A producer that could send gigabytes to a consumer that reads slowly: what waits in memory is at
 * most the window, on either side, whichever side is slow.
 */
class StreamMemoryTest {

    static final int MESSAGE = 256 * 1024;
    static final ByteString CHUNK = ByteString.copyFrom(new byte[MESSAGE]);
    /** What the window lets pile up, plus the message being produced and one being written. */
    static final int MOST_AHEAD = InboundMessages.WINDOW + 2; // 256 KiB messages: the window only shrinks from 32

    static final ExecutorService producers = Executors.newCachedThreadPool();
    static final AtomicInteger produced = new AtomicInteger();
    static final AtomicInteger consumedByServer = new AtomicInteger();
    static volatile Flow.Subscription serverSide;
    static RpcServer server;
    static RpcClient client;
    static StreamService streams;

    /** An endless producer of 256 KiB messages, and a client-stream consumer the test paces. */
    static final class Service implements StreamService {
        @Override
        public Flow.Publisher<EchoReply> count(EchoRequest request) {
            return Streams.publisher(producers, sink -> {
                for (long i = 0; i < 40_000; i++) { // 10 GiB, if nothing held it back
                    sink.send(EchoReply.newBuilder().setData(CHUNK).build());
                    produced.incrementAndGet();
                }
            });
        }

        @Override
        public CompletionStage<EchoReply> join(Flow.Publisher<EchoRequest> requests) {
            CompletableFuture<EchoReply> done = new CompletableFuture<>();
            requests.subscribe(new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    serverSide = s; // the test asks for messages, slowly
                }

                @Override
                public void onNext(EchoRequest item) {
                    consumedByServer.incrementAndGet();
                }

                @Override
                public void onError(Throwable t) {
                    done.completeExceptionally(t);
                }

                @Override
                public void onComplete() {
                    done.complete(EchoReply.getDefaultInstance());
                }
            });
            return done;
        }

        @Override
        public Flow.Publisher<EchoReply> hold(EchoRequest request) {
            return new HeldPublisher(request.getText());
        }

        @Override
        public Flow.Publisher<EchoReply> shout(Flow.Publisher<EchoRequest> requests) {
            return new HeldPublisher("shout");
        }
    }

    @BeforeAll
    static void start() {
        server = RpcServer.builder()
                .host("127.0.0.1")
                .service(StreamService.class, new Service())
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
        server.shutdown(Duration.ZERO);
        producers.shutdownNow();
    }

    private static long directMemory() {
        return PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    }

    @Test
    void aSlowConsumerHoldsTheServerToTheWindow() throws Exception {
        long heapBefore = Heap.usedAfterGc();
        long maxDirect = 0;
        produced.set(0);
        AtomicInteger taken = new AtomicInteger();
        CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
        streams.count(EchoRequest.getDefaultInstance()).subscribe(new Flow.Subscriber<EchoReply>() {
            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription.complete(s);
            }

            @Override
            public void onNext(EchoReply item) {
                taken.incrementAndGet(); // read and dropped
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onComplete() {}
        });
        Flow.Subscription s = subscription.get(10, java.util.concurrent.TimeUnit.SECONDS);
        for (int n = 1; n <= 200; n++) {
            s.request(1);
            int want = n;
            await().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> taken.get() == want);
            // Past the first window the window is sized by bytes: 1 MiB of 256 KiB messages.
            int ahead = n >= 50 ? InboundMessages.MIN_WINDOW + 2 : MOST_AHEAD;
            assertThat(produced.get()).as("produced after %d taken", n).isLessThanOrEqualTo(n + ahead);
            maxDirect = Math.max(maxDirect, directMemory());
        }
        s.cancel();
        // 200 messages of 256 KiB went through; 40,000 (10 GiB) were on offer.
        assertThat(maxDirect).as("direct memory in use at most").isLessThan(64L * 1024 * 1024);
        assertThat(Heap.usedAfterGc() - heapBefore).as("heap growth").isLessThan(64L * 1024 * 1024);
    }

    @Test
    void aSlowServerHoldsTheClientsProducerToTheWindow() throws Exception {
        AtomicInteger sent = new AtomicInteger();
        Flow.Publisher<EchoRequest> endless = Streams.publisher(producers, sink -> {
            for (long i = 0; i < 40_000; i++) {
                sink.send(EchoRequest.newBuilder().setData(CHUNK).build());
                sent.incrementAndGet();
            }
        });
        consumedByServer.set(0);
        serverSide = null;
        CompletableFuture<EchoReply> reply = streams.join(endless).toCompletableFuture();
        await().atMost(Duration.ofSeconds(10)).until(() -> serverSide != null);

        long maxDirect = 0;
        for (int taken = 1; taken <= 200; taken++) {
            serverSide.request(1);
            int want = taken;
            await().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> consumedByServer.get() == want);
            int ahead = taken >= 50 ? InboundMessages.MIN_WINDOW + 2 : MOST_AHEAD;
            assertThat(sent.get()).as("sent after %d taken", taken).isLessThanOrEqualTo(taken + ahead);
            maxDirect = Math.max(maxDirect, directMemory());
        }
        reply.cancel(true);
        assertThat(maxDirect).as("direct memory in use at most").isLessThan(64L * 1024 * 1024);
    }
}
