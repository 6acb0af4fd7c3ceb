package io.outrigger.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.server.ServiceReflection;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.LogCapture;
import io.outrigger.serialization.testing.TestMessages;
import io.outrigger.serialization.testing.proto.EchoReply;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Peers that send slowly on purpose (slowloris: headers a byte at a time; bodies a trickle; an
 * HTTP/2 preface or header block never finished) are closed after {@code --header-timeout-ms} or
 * below {@code --min-body-rate}, each with a log line, while well-formed callers are served; a
 * keep-alive connection idle between requests, and requests the sidecar itself is slow to read, are
 * not timed out; connections past {@code --max-connections} or {@code --max-connections-per-address}
 * are answered 503 at once. Short limits (500 ms) keep it fast.
 */
class SlowPeersTest {

    static final String ECHO = "/rpc/test.EchoService/echo";
    static final String ECHO_ASYNC = "/rpc/test.EchoService/echoAsync";
    static final String PROTOBUF = "application/x-protobuf";

    /** Threads of their own for senders and callers (the common pool may have one thread on two cores). */
    static final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "slow-peer");
        t.setDaemon(true);
        return t;
    });

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
        sidecar = Sidecar.start(slowPeerConfig().build(), registry);
    }

    static SidecarConfig.Builder slowPeerConfig() {
        return SidecarConfig.builder()
                .http("127.0.0.1:0")
                .maxBodyBytes(64 * 1024)
                .headerTimeout(Duration.ofMillis(500))
                .bodyRateGrace(Duration.ofMillis(500))
                .minBodyRate(4096);
    }

    @AfterAll
    static void stop() {
        sidecar.close();
        provider.shutdown(Duration.ofSeconds(2));
    }

    static byte[] echo(String text, int sleepMillis) {
        return TestMessages.echoRequest(text).toBuilder()
                .setSleepMillis(sleepMillis)
                .build()
                .toByteArray();
    }

    static byte[] head(String path, int contentLength) {
        return ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + PROTOBUF + "\r\nContent-Length: "
                        + contentLength + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] request(String path, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head(path, body.length));
        out.writeBytes(body);
        return out.toByteArray();
    }

    static final byte[] HEALTH = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Calls from another thread through the sidecar every 20 ms until stopped; failures are kept. */
    static final class WellFormedCaller implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger calls = new AtomicInteger();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final CompletableFuture<Void> done;

        WellFormedCaller(int port) {
            done = CompletableFuture.runAsync(
                    () -> {
                        HttpClient client = HttpClient.newBuilder()
                                .version(HttpClient.Version.HTTP_1_1)
                                .build();
                        while (running.get()) {
                            try {
                                HttpEndpointFuzzTest.wellFormedCall(port, client, "well-formed " + calls.get());
                                calls.incrementAndGet();
                                Thread.sleep(20);
                            } catch (Exception | AssertionError e) {
                                failures.add(e.toString());
                            }
                        }
                    },
                    threads);
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            done.get();
        }
    }

    @Test
    void fiveHundredSlowlorisConnectionsAreClosedAfterTheHeaderTimeoutWhileOthersAreServed() throws Exception {
        int n = 500;
        // Headers that never end: at a byte per round they would take minutes.
        byte[] header = ("POST " + ECHO + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + "p".repeat(4000))
                .getBytes(StandardCharsets.US_ASCII);
        long[] firstByte = new long[n];
        long[] closedAt = new long[n];
        boolean[] answered408 = new boolean[n];
        int closed = 0;
        List<SocketChannel> channels = new ArrayList<>();
        // A sidecar of its own: its log of closed connections is rate-limited, and this fills it.
        try (LogCapture logs = LogCapture.quiet(l -> l.contains("closing HTTP connection from"));
                Sidecar slowloris = Sidecar.start(slowPeerConfig().build(), registry);
                WellFormedCaller caller = new WellFormedCaller(slowloris.httpPort());
                Selector selector = Selector.open()) {
            for (int i = 0; i < n; i++) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", slowloris.httpPort()));
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ, i);
                channels.add(ch);
            }
            // One thread, one byte to every open connection per round, about ten rounds a second.
            ByteBuffer in = ByteBuffer.allocate(4096);
            long start = System.nanoTime();
            for (int round = 0;
                    closed < n
                            && System.nanoTime() - start
                                    < Duration.ofSeconds(20).toNanos();
                    round++) {
                for (int i = 0; i < n; i++) {
                    SocketChannel ch = channels.get(i);
                    if (closedAt[i] != 0) {
                        continue;
                    }
                    try {
                        ch.write(ByteBuffer.wrap(header, round % header.length, 1));
                        if (firstByte[i] == 0) {
                            firstByte[i] = System.nanoTime();
                        }
                    } catch (IOException e) { // the sidecar closed it: the read below sees it too
                    }
                }
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    int i = (Integer) key.attachment();
                    SocketChannel ch = (SocketChannel) key.channel();
                    in.clear();
                    int read;
                    try {
                        read = ch.read(in);
                    } catch (IOException e) {
                        read = -1;
                    }
                    if (read > 0
                            && new String(in.array(), 0, read, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 408")) {
                        answered408[i] = true;
                    }
                    if (read < 0 && closedAt[i] == 0) {
                        closedAt[i] = System.nanoTime();
                        closed++;
                        key.cancel();
                    }
                }
                selector.selectedKeys().clear();
            }
            caller.close();

            long slowest = 0;
            int with408 = 0;
            for (int i = 0; i < n; i++) {
                if (closedAt[i] != 0) {
                    slowest = Math.max(slowest, closedAt[i] - firstByte[i]);
                }
                with408 += answered408[i] ? 1 : 0;
            }
            String figures = "slowloris: " + closed + " of " + n + " closed, the slowest "
                    + Duration.ofNanos(slowest).toMillis() + " ms after its first byte; " + with408
                    + " answered 408; well-formed calls " + caller.calls.get() + ", failed " + caller.failures;
            System.out.println(figures);
            assertThat(closed).as(figures).isEqualTo(n);
            assertThat(Duration.ofNanos(slowest)).as(figures).isLessThan(Duration.ofSeconds(5));
            assertThat(with408).as(figures).isGreaterThan(n / 2);
            assertThat(caller.failures).as(figures).isEmpty();
            assertThat(caller.calls.get()).as(figures).isPositive();
            assertThat(logs.lines())
                    .anyMatch(l -> l.contains("closing HTTP connection from 127.0.0.1:")
                            && l.contains("request headers not complete within 500 ms (--header-timeout-ms)"));
        } finally {
            for (SocketChannel ch : channels) {
                ch.close();
            }
        }
    }

    /** Writes {@code chunk}-byte pieces of {@code bytes} every {@code everyMillis} on another thread. */
    static CompletableFuture<Void> trickle(OutputStream out, byte[] bytes, int chunk, long everyMillis) {
        return CompletableFuture.runAsync(
                () -> {
                    try {
                        for (int i = 0; i < bytes.length; i += chunk) {
                            out.write(bytes, i, Math.min(chunk, bytes.length - i));
                            out.flush();
                            Thread.sleep(everyMillis);
                        }
                    } catch (IOException e) {
                        // closed by the sidecar: what the tests wait for
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                threads);
    }

    static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketException e) {
            // reset after the answer: what was read is kept
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aBodySlowerThanTheMinimumRateClosesItsConnection() throws Exception {
        byte[] body = echo("s".repeat(20_000), 0);
        try (LogCapture logs = LogCapture.start();
                Socket s = new Socket("127.0.0.1", sidecar.httpPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(head(ECHO, body.length));
            long start = System.nanoTime();
            CompletableFuture<Void> sending = trickle(s.getOutputStream(), body, 50, 100); // 500 bytes/s

            String answer = readAll(s.getInputStream());
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            sending.join();

            assertThat(answer).startsWith("HTTP/1.1 408");
            assertThat(answer).contains("X-Outrigger-Status: DEADLINE_EXCEEDED", "--min-body-rate");
            // The grace (500 ms), then a second measured.
            assertThat(took).isBetween(Duration.ofMillis(1000), Duration.ofSeconds(5));
            assertThat(logs.lines())
                    .anyMatch(l -> l.contains("closing HTTP connection from 127.0.0.1:")
                            && l.contains("request body slower than 4096 bytes/s (--min-body-rate)"));
        }
    }

    @Test
    void aBodyAboveTheMinimumRateIsServedHoweverLongItTakes() throws Exception {
        byte[] body = echo("f".repeat(10_000), 0); // 20 KB: the text, and the same bytes as data
        try (Socket s = new Socket("127.0.0.1", sidecar.httpPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(head(ECHO, body.length));
            CompletableFuture<Void> sending = trickle(s.getOutputStream(), body, 1000, 100); // 10 KB/s, 2 s

            long start = System.nanoTime();
            InputStream in = new BufferedInputStream(s.getInputStream());
            HttpEndpointFuzzTest.Response r = HttpEndpointFuzzTest.read(in);
            System.out.println("steady body answered after "
                    + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms");
            sending.join();

            assertThat(r.status()).as(r.text()).isEqualTo(200);
            assertThat(EchoReply.parseFrom(r.body()).getText()).hasSize(10_000);
        }
    }

    @Test
    void aKeepAliveConnectionIdleBetweenRequestsIsNotTimedOut() throws Exception {
        try (Socket s = new Socket("127.0.0.1", sidecar.httpPort())) {
            s.setSoTimeout(5000);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write(request(ECHO, echo("first", 0)));
            assertThat(HttpEndpointFuzzTest.read(in).status()).isEqualTo(200);

            Thread.sleep(1500); // three header timeouts

            out.write(request(ECHO, echo("second", 0)));
            HttpEndpointFuzzTest.Response r = HttpEndpointFuzzTest.read(in);
            assertThat(r.status()).isEqualTo(200);
            assertThat(EchoReply.parseFrom(r.body()).getText()).isEqualTo("second");
        }
    }

    @Test
    void requestsWaitingForTheSidecarToReadThemAreNotTimedOut() throws Exception {
        // 100 pipelined requests of 2 KB whose calls take 1 s: the sidecar stops reading at 64
        // unanswered, with the next request cut at the end of its last read, for about a second,
        // twice the header timeout and the body grace.
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            batch.writeBytes(request(ECHO_ASYNC, echo(i + ":" + "w".repeat(2000), 1000)));
        }
        try (Socket s = new Socket("127.0.0.1", sidecar.httpPort())) {
            s.setSoTimeout(10_000);
            CompletableFuture<Void> sending = trickle(s.getOutputStream(), batch.toByteArray(), 64 * 1024, 0);
            InputStream in = new BufferedInputStream(s.getInputStream());
            for (int i = 0; i < 100; i++) {
                HttpEndpointFuzzTest.Response r = HttpEndpointFuzzTest.read(in);
                assertThat(r).as("answer " + i).isNotNull();
                assertThat(r.status()).as(r.text()).isEqualTo(200);
                assertThat(EchoReply.parseFrom(r.body()).getText()).startsWith(i + ":");
            }
            sending.join();
        }
    }

    /** Sends {@code setup} on a new HTTP/2 connection, then trickles {@code slow}; the frames read until it closes. */
    static List<H2.Frame> h2UntilClosed(byte[] setup, byte[] slow, int chunk, Duration[] took) throws Exception {
        List<H2.Frame> frames = new ArrayList<>();
        try (Socket s = new Socket("127.0.0.1", sidecar.httpPort())) {
            s.setSoTimeout(10_000);
            long start = System.nanoTime();
            s.getOutputStream().write(setup);
            CompletableFuture<Void> sending = trickle(s.getOutputStream(), slow, chunk, 100);
            InputStream in = new BufferedInputStream(s.getInputStream());
            try {
                for (H2.Frame f; (f = H2.read(in)) != null; ) {
                    frames.add(f);
                }
            } catch (java.net.SocketException e) {
                // reset after the GOAWAY
            }
            took[0] = Duration.ofNanos(System.nanoTime() - start);
            sending.join();
        }
        return frames;
    }

    static void assertGoAway(List<H2.Frame> frames, String reason) {
        assertThat(frames)
                .as("GOAWAY(ENHANCE_YOUR_CALM) saying " + reason)
                .anyMatch(f -> f.type() == H2.GOAWAY
                        && f.errorCode() == H2.ENHANCE_YOUR_CALM
                        && f.debugData().contains(reason));
    }

    @Test
    void anHttp2PrefaceTrickledIsClosedAfterTheHeaderTimeout() throws Exception {
        try (LogCapture logs = LogCapture.start()) {
            Duration[] took = new Duration[1];
            List<H2.Frame> frames = h2UntilClosed(new byte[0], H2.PREFACE, 1, took);

            assertThat(frames).isEmpty(); // not HTTP/2 yet: closed without a word
            assertThat(took[0]).isBetween(Duration.ofMillis(400), Duration.ofSeconds(3));
            assertThat(logs.lines())
                    .anyMatch(l -> l.contains("closing HTTP connection from 127.0.0.1:")
                            && l.contains("HTTP/2 preface) not complete within 500 ms"));
        }
    }

    @Test
    void anHttp2ConnectionWithoutSettingsIsClosedAfterTheHeaderTimeout() throws Exception {
        Duration[] took = new Duration[1];
        List<H2.Frame> frames = h2UntilClosed(H2.PREFACE, new byte[0], 1, took);

        assertGoAway(frames, "preface and SETTINGS not complete within 500 ms");
        assertThat(took[0]).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void anHttp2HeadersFrameTrickledIsClosedAfterTheHeaderTimeout() throws Exception {
        ByteArrayOutputStream setup = new ByteArrayOutputStream();
        setup.writeBytes(H2.PREFACE);
        setup.writeBytes(H2.frame(H2.SETTINGS, 0, 0, new byte[0]));
        byte[] headers = H2.frame(H2.HEADERS, H2.END_HEADERS | H2.END_STREAM, 1, H2.postHeaders(ECHO, PROTOBUF, 0));
        Duration[] took = new Duration[1];

        List<H2.Frame> frames = h2UntilClosed(setup.toByteArray(), headers, 1, took);

        assertGoAway(frames, "HTTP/2 frame not complete within 500 ms");
        assertThat(took[0]).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void anHttp2HeaderBlockTrickledInContinuationFramesIsClosedAfterTheHeaderTimeout() throws Exception {
        byte[] block = H2.postHeaders(ECHO, PROTOBUF, 0);
        ByteArrayOutputStream setup = new ByteArrayOutputStream();
        setup.writeBytes(H2.PREFACE);
        setup.writeBytes(H2.frame(H2.SETTINGS, 0, 0, new byte[0]));
        setup.writeBytes(H2.frame(H2.HEADERS, H2.END_STREAM, 1, java.util.Arrays.copyOf(block, 4)));
        // Then whole CONTINUATION frames of one byte each, ten a second: every frame is complete, the block never.
        ByteArrayOutputStream slow = new ByteArrayOutputStream();
        for (int i = 4; i < block.length; i++) {
            int flags = i == block.length - 1 ? H2.END_HEADERS : 0;
            slow.writeBytes(H2.frame(H2.CONTINUATION, flags, 1, new byte[] {block[i]}));
        }
        Duration[] took = new Duration[1];

        List<H2.Frame> frames = h2UntilClosed(setup.toByteArray(), slow.toByteArray(), 10, took);

        assertGoAway(frames, "HTTP/2 header block not complete within 500 ms");
        assertThat(took[0]).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void anHttp2BodySlowerThanTheMinimumRateClosesItsConnection() throws Exception {
        byte[] body = echo("b".repeat(20_000), 0);
        ByteArrayOutputStream setup = new ByteArrayOutputStream();
        setup.writeBytes(H2.PREFACE);
        setup.writeBytes(H2.frame(H2.SETTINGS, 0, 0, new byte[0]));
        setup.writeBytes(H2.frame(H2.HEADERS, H2.END_HEADERS, 1, H2.postHeaders(ECHO, PROTOBUF, body.length)));
        ByteArrayOutputStream slow = new ByteArrayOutputStream();
        for (int i = 0; i < body.length; i += 50) {
            slow.writeBytes(
                    H2.frame(H2.DATA, 0, 1, java.util.Arrays.copyOfRange(body, i, Math.min(body.length, i + 50))));
        }
        Duration[] took = new Duration[1];

        // One 59-byte DATA frame every 100 ms: 500 bytes of body a second.
        List<H2.Frame> frames = h2UntilClosed(setup.toByteArray(), slow.toByteArray(), 59, took);

        assertGoAway(frames, "slower than 4096 bytes/s (--min-body-rate)");
        assertThat(took[0]).isBetween(Duration.ofMillis(1000), Duration.ofSeconds(5));
    }

    static String exchange(Socket s, byte[] request) throws IOException {
        s.getOutputStream().write(request);
        HttpEndpointFuzzTest.Response r = HttpEndpointFuzzTest.read(new BufferedInputStream(s.getInputStream()));
        return r == null ? "closed" : r.status() + " " + r.text();
    }

    static Socket connect(int port, String from) throws IOException {
        Socket s = new Socket("127.0.0.1", port, InetAddress.getByName(from), 0);
        s.setSoTimeout(5000);
        return s;
    }

    /**
     * What a new connection from {@code from} gets: a refusal, which comes unasked, or else its
     * answer to GET /health.
     */
    static String newConnection(int port, String from) throws IOException {
        try (Socket s = connect(port, from)) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            s.setSoTimeout(300);
            try {
                HttpEndpointFuzzTest.Response refused = HttpEndpointFuzzTest.read(in);
                return refused == null ? "closed" : refused.status() + " " + refused.text();
            } catch (java.net.SocketTimeoutException accepted) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(HEALTH);
                HttpEndpointFuzzTest.Response r = HttpEndpointFuzzTest.read(in);
                return r == null ? "closed" : r.status() + " " + r.text();
            }
        } catch (java.net.SocketException e) {
            return "reset";
        }
    }

    @Test
    void connectionsPastTheCapsAreRefusedWith503AndAcceptedAgainOnceSomeClose() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (LogCapture logs = LogCapture.start();
                Sidecar capped = Sidecar.start(
                        slowPeerConfig()
                                .maxConnections(20)
                                .maxConnectionsPerAddress(10)
                                .build(),
                        registry)) {
            int port = capped.httpPort();
            Socket keeper = connect(port, "127.0.0.1");
            held.add(keeper);
            assertThat(exchange(keeper, request(ECHO, echo("before", 0)))).startsWith("200");
            for (int i = 0; i < 9; i++) {
                Socket s = connect(port, "127.0.0.1");
                held.add(s);
                assertThat(exchange(s, HEALTH)).startsWith("200");
            }

            String perAddress = newConnection(port, "127.0.0.1");
            assertThat(perAddress).startsWith("503").contains("10 connections from 127.0.0.1", "UNAVAILABLE");

            List<Socket> second = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Socket s = connect(port, "127.0.0.2");
                second.add(s);
                held.add(s);
                assertThat(exchange(s, HEALTH)).startsWith("200");
            }
            for (int i = 0; i < 30; i++) {
                assertThat(newConnection(port, "127.0.0.3")).startsWith("503").contains("20 connections in total");
            }
            // The caller already connected is served as before.
            assertThat(exchange(keeper, request(ECHO, echo("during", 0)))).startsWith("200");

            for (int i = 0; i < 5; i++) {
                second.get(i).close();
            }
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> newConnection(port, "127.0.0.3").startsWith("200"));
            assertThat(exchange(keeper, request(ECHO, echo("after", 0)))).startsWith("200");
            assertThat(logs.lines())
                    .anyMatch(l -> l.contains(" WARN ")
                            && l.contains("refused a connection from 127.0.0.1: connection limit reached"));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
