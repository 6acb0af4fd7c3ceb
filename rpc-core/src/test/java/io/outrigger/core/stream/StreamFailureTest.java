package io.outrigger.core.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.internal.protocol.FrameEncoder;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.HeldPublisher;
import io.outrigger.core.testing.LeakDetectionExtension;
import io.outrigger.core.testing.StreamService;
import io.outrigger.core.testing.TcpRelay;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** How streams end when something goes wrong: deadlines, a provider that dies or shuts down, limits. */
@ExtendWith(LeakDetectionExtension.class)
class StreamFailureTest {

    static final ExecutorService producers = Executors.newCachedThreadPool();
    static final AtomicInteger producerCancelled = new AtomicInteger();
    static final AtomicInteger bigProduced = new AtomicInteger();
    static final com.google.protobuf.ByteString BIG = com.google.protobuf.ByteString.copyFrom(new byte[64 * 1024]);

    /** An endless counter (blocking producer) and held streams. */
    static final class Service implements StreamService {
        @Override
        public Flow.Publisher<EchoReply> count(EchoRequest request) {
            return Streams.publisher(producers, sink -> {
                try {
                    for (int i = 0; ; i++) {
                        if (request.getText().equals("big")) {
                            sink.send(EchoReply.newBuilder().setData(BIG).build());
                            bigProduced.incrementAndGet();
                        } else {
                            sink.send(EchoReply.newBuilder().setText("n-" + i).build());
                        }
                    }
                } catch (java.util.concurrent.CancellationException e) {
                    producerCancelled.incrementAndGet();
                }
            });
        }

        @Override
        public CompletionStage<EchoReply> join(Flow.Publisher<EchoRequest> requests) {
            return new CompletableFuture<>();
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

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        HeldPublisher.completeAll();
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    @AfterAll
    static void stopProducers() {
        producers.shutdownNow();
    }

    private RpcServer server(RpcServer.Builder builder) {
        RpcServer server = builder.host("127.0.0.1")
                .service(StreamService.class, new Service())
                .build()
                .start();
        closing.add(() -> server.shutdown(Duration.ZERO));
        return server;
    }

    private StreamService client(int port, Duration streamTimeout) {
        RpcClient client = RpcClient.builder()
                .registry(StaticRegistry.of(ServiceInstance.builder("test.Streams", "127.0.0.1", port)
                        .build()))
                .build();
        closing.add(0, client);
        return client.reference(StreamService.class)
                .streamTimeout(streamTimeout)
                .build();
    }

    private static RpcException awaitFailure(TestSubscriber<?> s) throws Exception {
        Throwable t = s.done.get(20, TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(RpcException.class);
        return (RpcException) t;
    }

    private static EchoRequest request(String text) {
        return EchoRequest.newBuilder().setText(text).build();
    }

    @Test
    void theStreamsDeadlineEndsItMidStreamAndStopsTheProducer() throws Exception {
        RpcServer server = server(RpcServer.builder());
        StreamService streams = client(server.port(), Duration.ofMillis(300));
        int cancelledBefore = producerCancelled.get();

        TestSubscriber<EchoReply> s = new TestSubscriber<>(5); // five, then it stops asking
        streams.count(request("x")).subscribe(s);

        RpcException e = awaitFailure(s);
        assertThat(e.status().code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(e)
                .hasMessageContaining("the stream's deadline passed")
                .hasMessageContaining("ms after it opened")
                .hasMessageContaining("after receiving 5 messages");
        assertThat(s.items).hasSize(5);
        await().atMost(Duration.ofSeconds(10)).until(() -> producerCancelled.get() > cancelledBefore);
    }

    @Test
    void theServerStopsAStreamAtItsDeadlineEvenWhenNoCancelComes() throws Exception {
        RpcServer server = server(RpcServer.builder());
        int cancelledBefore = producerCancelled.get();
        FrameEncoder encoder = new FrameEncoder(io.outrigger.serialization.Serializers.defaults(), 1 << 20);
        io.outrigger.core.RpcRequest open = new io.outrigger.core.RpcRequest(
                "test.Streams",
                "count",
                io.outrigger.core.Metadata.empty(),
                io.outrigger.core.Deadline.NONE,
                io.outrigger.core.Payload.of(request("raw")),
                io.outrigger.core.Attributes.empty());
        // A peer that opens a stream with a 200 ms deadline, grants credit, and then neither reads nor cancels.
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.port())) {
            io.netty.buffer.ByteBufAllocator alloc = io.netty.buffer.UnpooledByteBufAllocator.DEFAULT;
            for (io.netty.buffer.ByteBuf frame : List.of(
                    encoder.streamOpen(alloc, 1, open, 200_000, true),
                    FrameEncoder.window(alloc, 1, 1_000_000, false))) {
                try {
                    socket.getOutputStream().write(io.netty.buffer.ByteBufUtil.getBytes(frame));
                } finally {
                    frame.release();
                }
            }
            socket.getOutputStream().flush();

            await().atMost(Duration.ofSeconds(10)).until(() -> producerCancelled.get() > cancelledBefore);
        }
    }

    @Test
    void aPeerThatGrantsMuchAndStopsReadingMakesTheProducerWaitNotTheServerBuffer() throws Exception {
        RpcServer server = server(RpcServer.builder());
        int cancelledBefore = producerCancelled.get();
        bigProduced.set(0);
        FrameEncoder encoder = new FrameEncoder(io.outrigger.serialization.Serializers.defaults(), 1 << 20);
        io.outrigger.core.RpcRequest open = new io.outrigger.core.RpcRequest(
                "test.Streams",
                "count",
                io.outrigger.core.Metadata.empty(),
                io.outrigger.core.Deadline.NONE,
                io.outrigger.core.Payload.of(request("big")),
                io.outrigger.core.Attributes.empty());
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), server.port())) {
            io.netty.buffer.ByteBufAllocator alloc = io.netty.buffer.UnpooledByteBufAllocator.DEFAULT;
            for (io.netty.buffer.ByteBuf frame : List.of(
                    encoder.streamOpen(alloc, 1, open, 0, true), FrameEncoder.window(alloc, 1, 1_000_000, false))) {
                try {
                    socket.getOutputStream().write(io.netty.buffer.ByteBufUtil.getBytes(frame));
                } finally {
                    frame.release();
                }
            }
            socket.getOutputStream().flush();
            // 64 KiB messages, credit for a million (64 GiB), and nobody reads: the producer must stop
            // once the socket buffers and the connection's high-water mark are full.
            await().atMost(Duration.ofSeconds(10)).until(() -> bigProduced.get() > 10);
            await().during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> bigProduced.get() == lastSeen(bigProduced.get()));
            assertThat(bigProduced.get()).as("64 KiB messages produced").isLessThan(600);
            assertThat(producerCancelled.get())
                    .as("the connection stays open: nothing hit the queued-bytes cap")
                    .isEqualTo(cancelledBefore);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> producerCancelled.get() > cancelledBefore);
    }

    private int lastSeen = -1;

    /** The previous value this was called with (for "stopped growing" checks). */
    private int lastSeen(int now) {
        int previous = lastSeen;
        lastSeen = now;
        return previous;
    }

    @Test
    void aProviderThatDiesMidStreamFailsItSayingHowFarItGot() throws Exception {
        RpcServer server = server(RpcServer.builder());
        TcpRelay relay = new TcpRelay(server.port());
        closing.add(relay);
        StreamService streams = client(relay.port(), Duration.ZERO);

        TestSubscriber<EchoReply> s = new TestSubscriber<>(3);
        streams.count(request("x")).subscribe(s);
        await().atMost(Duration.ofSeconds(10)).until(() -> s.items.size() == 3);
        relay.kill();

        RpcException e = awaitFailure(s);
        assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(e).hasMessageContaining("closed while the stream was open after receiving 3 messages");
    }

    @Test
    void gracefulShutdownLetsStreamsFinishWithinTheDrainTimeoutAndEndsTheRestWithAReason() throws Exception {
        RpcServer server = server(RpcServer.builder().drainTimeout(Duration.ofSeconds(2)));
        StreamService streams = client(server.port(), Duration.ZERO);
        List<TestSubscriber<EchoReply>> open = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            TestSubscriber<EchoReply> s = new TestSubscriber<>(Long.MAX_VALUE);
            streams.hold(request("h" + i)).subscribe(s);
            open.add(s);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> open.stream().allMatch(s -> s.items.size() == 1));

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(server::shutdown);
        await().atMost(Duration.ofSeconds(10)).until(() -> HeldPublisher.openCount() == 100); // still open
        HeldPublisher.complete(50); // half finish within the drain timeout

        shutdown.get(20, TimeUnit.SECONDS);
        int ok = 0;
        int unavailable = 0;
        for (TestSubscriber<EchoReply> s : open) {
            Throwable end = s.done.get(10, TimeUnit.SECONDS); // none hangs
            if (end == null) {
                ok++;
            } else {
                assertThat(end).isInstanceOf(RpcException.class).hasMessageContaining("drain timeout");
                assertThat(((RpcException) end).status().code()).isEqualTo(Status.Code.UNAVAILABLE);
                unavailable++;
            }
        }
        assertThat(ok).isEqualTo(50);
        assertThat(unavailable).isEqualTo(50);
    }

    @Test
    void tenThousandStreamsShareOneConnectionAndTheNextIsRefused() throws Exception {
        RpcServer server = server(RpcServer.builder()); // maxStreamsPerConnection: 10,000 by default
        StreamService streams = client(server.port(), Duration.ZERO);
        List<TestSubscriber<EchoReply>> open = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            TestSubscriber<EchoReply> s = new TestSubscriber<>(1);
            streams.hold(request("h" + i)).subscribe(s);
            open.add(s);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> open.stream().allMatch(s -> s.items.size() == 1));
        assertThat(open.stream()
                        .filter(s -> s.done.isDone())
                        .map(s -> s.done.join())
                        .limit(3))
                .as("streams that ended before the test ended them")
                .isEmpty();

        TestSubscriber<EchoReply> refused = new TestSubscriber<>(1);
        streams.hold(request("one more")).subscribe(refused);
        RpcException e = awaitFailure(refused);
        assertThat(e.status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(e).hasMessageContaining("10000 streams are open on this connection");

        HeldPublisher.completeAll();
        for (TestSubscriber<EchoReply> s : open) {
            assertThat(s.done.get(20, TimeUnit.SECONDS)).isNull();
        }
    }
}
