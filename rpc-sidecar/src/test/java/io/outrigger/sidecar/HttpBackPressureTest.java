package io.outrigger.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.util.internal.PlatformDependent;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.server.ServiceReflection;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.Heap;
import io.outrigger.core.testing.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A caller that sends requests as fast as its socket lets it and never reads an answer, over
 * HTTP/1.1 (pipelined on one keep-alive connection) and over h2c (many streams, flow-control windows
 * never opened): the sidecar must stop reading from it, so that its sends block, keep the memory it
 * holds bounded, keep serving a well-formed caller meanwhile on the same event loop, and give the
 * memory back once the attacker goes away.
 */
class HttpBackPressureTest {

    static final String ECHO = "/rpc/test.EchoService/echo";
    /** The most the heap after GC plus Netty's direct memory may grow while an attacker runs. */
    static final long MEMORY_BOUND = 64L * 1024 * 1024;
    /**
     * The same with an h2c attacker that fills its connection's cap: 16 MiB of answers held for it,
     * plus up to 256 calls of 34 KB in flight, counted on both sides (the provider is in this JVM),
     * and the next connection filling while the last one's calls end.
     */
    static final long MEMORY_BOUND_AT_THE_CAP = 128L * 1024 * 1024;
    /** How close to the start memory must come back once the attacker has gone. */
    static final long MEMORY_SLACK = 16L * 1024 * 1024;

    static StaticRegistry registry;
    static RpcServer provider;
    static Sidecar sidecar;

    @BeforeAll
    static void start() {
        registry = new StaticRegistry();
        provider = RpcServer.builder()
                .host("127.0.0.1")
                .port(0)
                .registry(registry)
                .propagationDelay(Duration.ZERO)
                .service(EchoService.class, new EchoServiceImpl())
                .interceptor(ServiceReflection.of(EchoService.class))
                .build()
                .start();
        sidecar = Sidecar.start(
                SidecarConfig.builder()
                        .http("127.0.0.1:0")
                        .maxBodyBytes(64 * 1024)
                        .build(),
                registry);
    }

    @AfterAll
    static void stop() {
        sidecar.close();
        provider.shutdown(Duration.ofSeconds(2));
    }

    /** Heap after GC plus direct memory (Netty's own counter, or the JDK's direct buffers). */
    static long memory() {
        long heap = Heap.usedAfterGc();
        long jdkDirect = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
        return heap + Math.max(0, PlatformDependent.usedDirectMemory()) + jdkDirect;
    }

    static long mb(long bytes) {
        return bytes / (1024 * 1024);
    }

    static byte[] http1Echo(String text) {
        byte[] body = HttpFuzzer.echo(text);
        String head = "POST " + ECHO + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }

    /** What one attack run saw. */
    record Run(long before, long peak, long after, long sentMidway, long sentAtEnd, int calls, int failures) {
        String figures(String what) {
            return what + ": memory " + mb(before) + " MB before, " + mb(peak) + " MB at most, " + mb(after)
                    + " MB after; attacker sent " + mb(sentMidway) + " MB by midway, " + mb(sentAtEnd)
                    + " MB in all; well-formed calls " + calls + ", failed " + failures;
        }
    }

    /** The attack, as a loop that writes until its socket is closed under it. */
    interface Attacker {
        /** Sends until the socket fails; counts the bytes written. */
        void run(Socket socket, AtomicLong sent) throws IOException;
    }

    /**
     * Runs {@code attacker} on its own connection for {@code seconds} while a well-formed caller
     * calls through the same sidecar every 50 ms, sampling memory; then closes the attacker's socket
     * (which unblocks its send) and waits for memory to come back.
     */
    static Run attack(Attacker attacker, int seconds, boolean reconnect) throws Exception {
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpEndpointFuzzTest.wellFormedCall(sidecar.httpPort(), client, "warm-up");
        long before = memory();
        AtomicLong sent = new AtomicLong();
        AtomicBoolean attacking = new AtomicBoolean(true);
        ConcurrentLinkedQueue<Socket> sockets = new ConcurrentLinkedQueue<>();
        Thread thread = new Thread(
                () -> {
                    while (attacking.get()) {
                        try (Socket socket = new Socket("127.0.0.1", sidecar.httpPort())) {
                            sockets.add(socket);
                            attacker.run(socket, sent);
                        } catch (IOException e) {
                            // closed by the sidecar (h2c past its cap), or by the test to end the run
                        }
                        if (!reconnect) {
                            break;
                        }
                    }
                },
                "attacker");
        thread.setDaemon(true);
        thread.start();
        long peak = before;
        long sentMidway = 0;
        AtomicInteger calls = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        long nextSample = 0;
        try {
            while (System.nanoTime() - start < Duration.ofSeconds(seconds).toNanos()) {
                long t0 = System.nanoTime();
                try {
                    HttpEndpointFuzzTest.wellFormedCall(sidecar.httpPort(), client, "well-formed " + calls.get());
                    Duration took = Duration.ofNanos(System.nanoTime() - t0);
                    if (took.compareTo(Duration.ofSeconds(2)) > 0) {
                        failures.add("a call took " + took);
                    }
                    calls.incrementAndGet();
                } catch (Exception | AssertionError e) {
                    failures.add(e.toString());
                }
                long elapsed = System.nanoTime() - start;
                if (elapsed >= nextSample) {
                    peak = Math.max(peak, memory());
                    nextSample = elapsed + Duration.ofSeconds(2).toNanos();
                }
                if (sentMidway == 0 && elapsed >= Duration.ofSeconds(seconds).toNanos() / 2) {
                    sentMidway = sent.get();
                }
                Thread.sleep(50);
            }
            peak = Math.max(peak, memory());
        } finally {
            attacking.set(false);
            for (Socket s : sockets) {
                s.close(); // unblocks a send stuck on a full socket buffer
            }
            thread.join(5000);
        }
        long sentAtEnd = sent.get();
        long[] after = {0};
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    after[0] = memory();
                    return after[0] - before < MEMORY_SLACK;
                });
        HttpEndpointFuzzTest.wellFormedCall(sidecar.httpPort(), client, "after the attack");
        return new Run(before, peak, after[0], sentMidway, sentAtEnd, calls.get(), failures.size());
    }

    @Test
    void anHttp1CallerThatNeverReadsItsAnswersIsHeldBackWithBoundedMemory() throws Exception {
        // 64 requests a write, each answered by about 1 KiB: without back-pressure a few seconds of
        // this queue hundreds of megabytes of answers.
        byte[] one = http1Echo("x".repeat(1000));
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 64; i++) {
            batch.writeBytes(one);
        }
        byte[] bytes = batch.toByteArray();

        Run run = attack(
                (socket, sent) -> {
                    OutputStream out = socket.getOutputStream();
                    while (true) {
                        out.write(bytes); // blocks once the sidecar stops reading and the socket buffers fill
                        sent.addAndGet(bytes.length);
                    }
                },
                10,
                false);

        String figures = run.figures("HTTP/1.1 pipelining, answers never read");
        System.out.println(figures);
        assertThat(run.failures()).as(figures).isZero();
        assertThat(run.calls()).as(figures).isGreaterThan(20);
        assertThat(run.peak() - run.before()).as(figures).isLessThan(MEMORY_BOUND);
        // The sidecar stopped reading: past the socket buffers, the attacker's sends stayed blocked.
        assertThat(run.sentAtEnd() - run.sentMidway()).as(figures).isLessThan(1024 * 1024);
        assertThat(run.sentAtEnd()).as(figures).isLessThan(64L * 1024 * 1024);
    }

    @Test
    void anH2cCallerThatNeverOpensItsWindowsIsClosedPastTheCapWithBoundedMemory() throws Exception {
        // Answers of 40 KB that a stream window of 0 keeps in the flow controller: past 16 MiB of them
        // (the cap for --max-body-bytes 64 KiB: about 420 of the 1000 streams allowed, each left open
        // by its unsent answer) the sidecar sends GOAWAY and closes. (With 20 KB answers it took about
        // 840 streams, so on a slow run the read gate could hold the caller back first: bounded too,
        // but not this path.)
        byte[] body = HttpFuzzer.echo("y".repeat(40_000));
        try (LogCapture logs = LogCapture.start()) {
            Run run = attack(
                    (socket, sent) -> {
                        OutputStream out = socket.getOutputStream();
                        ByteArrayOutputStream setup = new ByteArrayOutputStream();
                        setup.writeBytes(H2.PREFACE);
                        setup.writeBytes(H2.frame(H2.SETTINGS, 0, 0, H2.setting(H2.INITIAL_WINDOW_SIZE, 0)));
                        setup.writeBytes(H2.frame(H2.SETTINGS, H2.ACK, 0, new byte[0]));
                        out.write(setup.toByteArray());
                        for (int stream = 1; ; stream += 2) {
                            byte[] request = H2.post(stream, ECHO, "application/x-protobuf", body);
                            out.write(request);
                            sent.addAndGet(request.length);
                        }
                    },
                    6,
                    false);

            String figures = run.figures("h2c, windows never opened, answers never read");
            System.out.println(figures);
            assertThat(run.failures()).as(figures).isZero();
            assertThat(run.calls()).as(figures).isGreaterThan(20);
            assertThat(run.peak() - run.before()).as(figures).isLessThan(MEMORY_BOUND_AT_THE_CAP);
            assertThat(logs.lines())
                    .as("the close is logged with the peer and the cap")
                    .anyMatch(l -> l.contains("closing HTTP/2 connection from 127.0.0.1:")
                            && l.contains("over the cap of 16777216 bytes"));
        }
    }

    @Test
    void anH2cCallerThatNeverReadsSmallAnswersIsHeldBack() throws Exception {
        // Small answers: the streams' HEADERS and RST_STREAMs fill the outbound buffer past its
        // high-water mark, and the sidecar stops reading; nothing reaches the cap.
        byte[] body = HttpFuzzer.echo("z".repeat(100));
        Run run = attack(
                (socket, sent) -> {
                    OutputStream out = socket.getOutputStream();
                    ByteArrayOutputStream setup = new ByteArrayOutputStream();
                    setup.writeBytes(H2.PREFACE);
                    setup.writeBytes(H2.frame(H2.SETTINGS, 0, 0, new byte[0]));
                    setup.writeBytes(H2.frame(H2.SETTINGS, H2.ACK, 0, new byte[0]));
                    out.write(setup.toByteArray());
                    ByteArrayOutputStream batch = new ByteArrayOutputStream();
                    for (int stream = 1; ; stream += 2) {
                        batch.writeBytes(H2.post(stream, ECHO, "application/x-protobuf", body));
                        if (batch.size() > 32 * 1024) {
                            out.write(batch.toByteArray());
                            sent.addAndGet(batch.size());
                            batch.reset();
                        }
                    }
                },
                6,
                false);

        String figures = run.figures("h2c, small answers never read");
        System.out.println(figures);
        assertThat(run.failures()).as(figures).isZero();
        assertThat(run.peak() - run.before()).as(figures).isLessThan(MEMORY_BOUND);
        assertThat(run.sentAtEnd() - run.sentMidway()).as(figures).isLessThan(1024 * 1024);
    }
}
