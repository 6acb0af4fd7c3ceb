package io.outrigger.core.server;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.outrigger.core.Attributes;
import io.outrigger.core.Deadline;
import io.outrigger.core.Metadata;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.internal.protocol.FrameEncoder;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.Heap;
import io.outrigger.core.testing.LogCapture;
import io.outrigger.core.testing.ServerExtension;
import io.outrigger.serialization.Serializers;
import io.outrigger.serialization.testing.proto.EchoReply;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A peer that never reads, one that floods connections, one that sends more calls than allowed:
 * the server's memory stays bounded and other callers are served. Real sockets on 127.0.0.1.
 *
 * <p>The attack lasts {@code -Dbackpressure.seconds} (default 10; the scenario is 30).
 */
class BackPressureTest {

    private static final long MIB = 1024 * 1024;
    private static final int ATTACK_SECONDS = Integer.getInteger("backpressure.seconds", 10);

    final EchoServiceImpl impl = new EchoServiceImpl();
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger mostRunning = new AtomicInteger();

    @RegisterExtension
    final ServerExtension server = new ServerExtension(
            b -> b.service(EchoService.class, impl)
                    .maxConnections(12)
                    .maxConcurrentCallsPerConnection(64)
                    .interceptor((request, next) -> {
                        mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                        return next.invoke(request).whenComplete((r, e) -> running.decrementAndGet());
                    }),
            c -> c.defaultTimeout(Duration.ofSeconds(2)));

    @Test
    void aClientThatNeverReadsItsAnswersCannotGrowTheServersMemory() throws Exception {
        EchoService echo = server.client().refer(EchoService.class);
        assertThat(echo.echo(echoRequest("warm")).getText()).isEqualTo("warm");
        long start = memory();
        // 1 KiB each: with Netty's leak detector at paranoid (as in every test run) each answer queued
        // costs ~14 KiB of heap for its trace records, which tiny answers would make the biggest cost.
        byte[] requests = pipelinedRequests(256);

        AtomicLong sent = new AtomicLong();
        Socket attacker = new Socket();
        attacker.connect(new InetSocketAddress("127.0.0.1", server.port()));
        attacker.setReceiveBufferSize(64 * 1024);
        Thread flood = new Thread(() -> {
            try {
                OutputStream out = attacker.getOutputStream();
                for (; ; ) {
                    out.write(requests); // blocks once the server stops reading: that is the point
                    sent.addAndGet(requests.length);
                }
            } catch (Exception closedByTheTest) {
                // The test closes the socket to end the attack.
            }
        });
        flood.start();

        long most = 0;
        int served = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ATTACK_SECONDS);
        while (System.nanoTime() - deadline < 0) {
            long began = System.nanoTime();
            assertThat(echo.echo(echoRequest("meanwhile")).getText()).isEqualTo("meanwhile");
            assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(2));
            served++;
            Thread.sleep(200);
            most = Math.max(most, memory());
        }
        most = Math.max(most, memory());
        attacker.close();
        flood.join(5000);

        System.out.printf(
                "never-reading client: %d MB of requests sent in %d s; server memory start %d MB, most %d MB (+%d MB);"
                        + " %d calls of another client served meanwhile%n",
                sent.get() / MIB, ATTACK_SECONDS, start / MIB, most / MIB, (most - start) / MIB, served);
        // Without back-pressure the server reads on and queues every answer: gigabytes within seconds.
        assertThat(most - start).isLessThan(64 * MIB);
        // Reading stopped: the attacker could not push more than the socket buffers and one read's worth.
        assertThat(sent.get()).isLessThan(256 * MIB);
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(memory() - start).isLessThan(16 * MIB));
        assertThat(echo.echo(echoRequest("after")).getText()).isEqualTo("after");
    }

    @Test
    void callsPastTheLimitPerConnectionWaitInsteadOfRunning() throws Exception {
        EchoService echo = server.client().refer(EchoService.class);
        assertThat(echo.echo(echoRequest("warm")).getText()).isEqualTo("warm");
        mostRunning.set(0);
        List<CompletableFuture<EchoReply>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(echo.echoAsync(
                            echoRequest("c" + i).toBuilder().setSleepMillis(100).build())
                    .toCompletableFuture());
        }
        for (int i = 0; i < calls.size(); i++) {
            assertThat(calls.get(i).get(10, TimeUnit.SECONDS).getText()).isEqualTo("c" + i);
        }
        // 64 at most per connection; the rest waited in the socket buffers, and every call ran.
        assertThat(mostRunning.get()).isBetween(2, 64);
    }

    @Test
    void connectionsPastTheCapAreRefusedWithAReasonAndTheConnectedCallerKeepsWorking() throws Exception {
        EchoService echo = server.client().refer(EchoService.class);
        assertThat(echo.echo(echoRequest("first")).getText()).isEqualTo("first");
        List<Socket> held = new ArrayList<>();
        try (LogCapture logs = LogCapture.start()) {
            // The client holds 1 connection; 11 more fill the cap of 12.
            for (int i = 0; i < 11; i++) {
                held.add(new Socket("127.0.0.1", server.port()));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().connectionCount() == 12);
            for (int i = 0; i < 20; i++) {
                try (Socket refused = new Socket("127.0.0.1", server.port())) {
                    refused.setSoTimeout(5000);
                    String answer = readUntilClosed(refused.getInputStream());
                    assertThat(answer).contains("connection limit reached (12 connections in total)");
                }
            }
            assertThat(echo.echo(echoRequest("still")).getText()).isEqualTo("still");
            assertThat(logs.lines())
                    .anyMatch(l -> l.contains("refused a connection from 127.0.0.1: connection limit reached"));

            // A new client against the full server is told why, and may go elsewhere.
            try (RpcClient other = RpcClient.builder()
                    .registry(server.registry())
                    .defaultTimeout(Duration.ofSeconds(2))
                    .build()) {
                try {
                    other.refer(EchoService.class).echo(echoRequest("refused"));
                    throw new AssertionError("expected a refusal");
                } catch (RpcException e) {
                    assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
                }
                for (Socket s : held.subList(0, 5)) {
                    s.close();
                }
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> server.server().connectionCount() <= 8);
                await().atMost(Duration.ofSeconds(10))
                        .ignoreExceptions()
                        .untilAsserted(() -> assertThat(other.refer(EchoService.class)
                                        .echo(echoRequest("room again"))
                                        .getText())
                                .isEqualTo("room again"));
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aServerThatStopsReadingCannotGrowTheClientsMemory() throws Exception {
        try (ServerSocket deaf = new ServerSocket()) {
            deaf.setReceiveBufferSize(64 * 1024);
            deaf.bind(new InetSocketAddress("127.0.0.1", 0));
            StaticRegistry registry = new StaticRegistry();
            registry.register(ServiceInstance.builder("test.EchoService", "127.0.0.1", deaf.getLocalPort())
                    .build());
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return deaf.accept(); // and never read
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (RpcClient client = RpcClient.builder()
                    .registry(registry)
                    .defaultTimeout(Duration.ofSeconds(30))
                    .maxQueuedBytesPerConnection(4 * MIB)
                    .build()) {
                EchoService echo = client.refer(EchoService.class);
                long start = memory();
                String text = "x".repeat(64 * 1024);
                List<CompletableFuture<EchoReply>> calls = new ArrayList<>();
                for (int i = 0; i < 1024; i++) { // 64 MiB of requests
                    calls.add(echo.echoAsync(echoRequest(text)).toCompletableFuture());
                }
                int notSent = 0;
                for (CompletableFuture<EchoReply> call : calls) {
                    if (call.isDone()) {
                        try {
                            call.get();
                        } catch (ExecutionException e) {
                            RpcException rpc = (RpcException) e.getCause();
                            assertThat(rpc.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
                            assertThat(rpc.getMessage())
                                    .contains("waiting for the provider to read them")
                                    .contains("the request was not sent");
                            notSent++;
                        }
                    }
                }
                long used = memory() - start;
                System.out.printf(
                        "deaf provider: %d of 1024 calls of 64 KiB failed unsent; client memory +%d MB%n",
                        notSent, used / MIB);
                // The kernel's buffers take a few MiB, the cap 4 MiB more: the rest fails at once, unsent.
                assertThat(notSent).isGreaterThan(800);
                assertThat(used).isLessThan(32 * MIB);
            }
            accepted.get(5, TimeUnit.SECONDS).close();
        }
    }

    /** Heap after GC plus the pooled direct memory the transports allocate from. */
    private static long memory() {
        return Heap.usedAfterGc() + PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    }

    private static byte[] pipelinedRequests(int frames) {
        FrameEncoder encoder = new FrameEncoder(Serializers.defaults(), 4 * 1024 * 1024);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 1; i <= frames; i++) {
            RpcRequest request = new RpcRequest(
                    "test.EchoService",
                    "echoAsync",
                    Metadata.empty(),
                    Deadline.NONE,
                    Payload.of(echoRequest(i + " " + "x".repeat(1000))),
                    Attributes.empty());
            ByteBuf frame = encoder.request(Unpooled.buffer().alloc(), i, request, 0);
            try {
                byte[] bytes = new byte[frame.readableBytes()];
                frame.readBytes(bytes);
                out.writeBytes(bytes);
            } finally {
                frame.release();
            }
        }
        return out.toByteArray();
    }

    private static String readUntilClosed(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
