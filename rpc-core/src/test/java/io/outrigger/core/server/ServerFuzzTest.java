package io.outrigger.core.server;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.internal.protocol.DecoderRun;
import io.outrigger.core.internal.protocol.ProtocolLimits;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.FrameFuzzer;
import io.outrigger.core.testing.LogCapture;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes a real server on 127.0.0.1: many connections send mutated frames (each stream predicted, by
 * running it through a decoder first, to be a protocol error or not) while a well-formed client keeps
 * calling. The server must close exactly the connections that broke the protocol, log why, keep its
 * memory bounded, and fail none of the well-formed calls.
 *
 * <p>The build sends {@code outrigger.fuzz.socketFrames} (default 20,000) frames over {@code
 * outrigger.fuzz.connections} (default 8) concurrent connections; the decoder fuzz covers 100,000.
 * Longer run: {@code -Doutrigger.fuzz.socketFrames=200000}.
 */
class ServerFuzzTest {

    static final long SEED = Long.getLong("outrigger.fuzz.seed", 20261109L);
    static final long FRAMES = Long.getLong("outrigger.fuzz.socketFrames", 20_000L);
    static final int CONNECTIONS = Integer.getInteger("outrigger.fuzz.connections", 8);
    static final ProtocolLimits LIMITS = new ProtocolLimits(4096, 1024);

    /** Never sleeps (fuzzed bodies may ask to) and fails without a stack trace. */
    static final class QuickEcho implements EchoService {
        @Override
        public EchoReply echo(EchoRequest request) {
            return EchoReply.newBuilder().setText(request.getText()).build();
        }

        @Override
        public CompletionStage<EchoReply> echoAsync(EchoRequest request) {
            return CompletableFuture.completedFuture(echo(request));
        }

        @Override
        public EchoReply fail(EchoRequest request) {
            throw io.outrigger.core.RpcException.of(Status.INVALID_ARGUMENT.withDescription("fail"));
        }
    }

    /**
     * A stream to send and what the decoder makes of it: a protocol error, or else whether it ends
     * between frames (then a heartbeat must be answered) or inside one (then the server waits).
     */
    record Stream(FrameFuzzer.Case fuzz, boolean breaksProtocol, boolean atFrameBoundary) {}

    @Test
    void fuzzedConnectionsAreClosedWithALoggedReasonWhileAWellFormedClientSeesNoFailure() throws Exception {
        List<Stream> streams = streams();
        long framesTotal = streams.stream().mapToLong(s -> s.fuzz().frames()).sum();
        long breaking = streams.stream().filter(Stream::breaksProtocol).count();

        RpcServer server = RpcServer.builder()
                .host("127.0.0.1")
                .service(EchoService.class, new QuickEcho())
                .maxMessageSize(LIMITS.maxMessageSize())
                .maxMetadataSize(LIMITS.maxMetadataSize())
                .idleTimeout(Duration.ofSeconds(2))
                .drainTimeout(Duration.ofSeconds(1))
                .build()
                .start();
        RpcClient client = RpcClient.builder()
                .registry(StaticRegistry.of(ServiceInstance.builder("test.EchoService", "127.0.0.1", server.port())
                        .build()))
                .maxMessageSize(LIMITS.maxMessageSize())
                .defaultTimeout(Duration.ofSeconds(10))
                .build();
        EchoService echo = client.refer(EchoService.class);
        echo.echo(echoRequest("warm up"));
        long heapBefore = usedHeap();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong calls = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        ConcurrentLinkedQueue<String> failureMessages = new ConcurrentLinkedQueue<>();
        AtomicInteger closedByServer = new AtomicInteger();
        AtomicInteger keptOpenDespiteError = new AtomicInteger();
        AtomicInteger closedWithoutError = new AtomicInteger();
        AtomicInteger next = new AtomicInteger();
        long start = System.nanoTime();

        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS + 2);
        try (LogCapture logs = LogCapture.quiet(line -> line.contains("[outrigger-"))) {
            List<Future<?>> callers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int id = t;
                callers.add(pool.submit(() -> {
                    for (long i = 0; !stop.get(); i++) {
                        String text = "caller-" + id + "-" + i;
                        try {
                            String got = echo.echo(echoRequest(text)).getText();
                            if (!got.equals(text)) {
                                failures.incrementAndGet();
                                failureMessages.add("wrong reply " + got + " to " + text);
                            }
                        } catch (RpcException e) {
                            failures.incrementAndGet();
                            failureMessages.add(e.getMessage());
                        }
                        calls.incrementAndGet();
                    }
                }));
            }
            List<Future<?>> fuzzers = new ArrayList<>();
            for (int t = 0; t < CONNECTIONS; t++) {
                fuzzers.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < streams.size(); ) {
                        Stream s = streams.get(i);
                        boolean closed = sendAndSeeIfClosed(server.port(), s);
                        if (closed && s.breaksProtocol()) {
                            closedByServer.incrementAndGet();
                        } else if (s.breaksProtocol()) {
                            keptOpenDespiteError.incrementAndGet();
                        } else if (closed) {
                            closedWithoutError.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fuzzers) {
                f.get(5, TimeUnit.MINUTES);
            }
            stop.set(true);
            for (Future<?> f : callers) {
                f.get(1, TimeUnit.MINUTES);
            }
            long millis = (System.nanoTime() - start) / 1_000_000;

            // Every offending connection closed, and none other; the server is back to the client's one.
            await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.inFlight() == 0);
            long logged = logs.count("protocol error");
            long heapAfter = usedHeap();
            System.out.printf(
                    "Server fuzz: seed %d, %d frames over %d connections (%d concurrent), %d of them breaking the"
                            + " protocol; %d closed by the server with a logged reason (%d log lines), %d kept open"
                            + " wrongly, %d closed wrongly; well-formed client: %d calls, %d failed; heap %d MB"
                            + " before, %d MB after; %d ms%n",
                    SEED,
                    framesTotal,
                    streams.size(),
                    CONNECTIONS,
                    breaking,
                    closedByServer.get(),
                    logged,
                    keptOpenDespiteError.get(),
                    closedWithoutError.get(),
                    calls.get(),
                    failures.get(),
                    heapBefore >> 20,
                    heapAfter >> 20,
                    millis);

            assertThat(failures.get())
                    .as("failed well-formed calls: %s", failureMessages)
                    .isZero();
            assertThat(calls.get()).isPositive();
            assertThat(closedByServer.get()).isEqualTo((int) breaking);
            assertThat(keptOpenDespiteError.get()).isZero();
            assertThat(closedWithoutError.get()).isZero();
            assertThat(logged).isEqualTo(breaking);
            assertThat(heapAfter - heapBefore).as("heap growth").isLessThan(64L << 20);
            assertThat(echo.echo(echoRequest("still serving")).getText()).isEqualTo("still serving");
        } finally {
            pool.shutdownNow();
            client.close();
            server.shutdown(Duration.ofSeconds(1));
        }
    }

    /** The streams to send, until {@link #FRAMES} frames, each run through a decoder to predict it. */
    private static List<Stream> streams() {
        FrameFuzzer fuzzer = new FrameFuzzer(SEED, LIMITS);
        List<Stream> streams = new ArrayList<>();
        long frames = 0;
        for (long i = 0; frames < FRAMES; i++) {
            FrameFuzzer.Case c = fuzzer.next(i);
            DecoderRun run = DecoderRun.whole(c.bytes(), LIMITS);
            streams.add(new Stream(c, run.protocolError() != null, run.atFrameBoundary()));
            frames += c.frames();
        }
        return streams;
    }

    /**
     * Sends the stream on a new connection. For a stream that breaks the protocol, waits (up to 5 s)
     * for the server to close; for one that ends between frames, checks that a heartbeat is still
     * answered; for one that ends inside a frame, checks that the server has not closed after 20 ms.
     *
     * @return whether the server closed the connection (or stopped answering) because of what was sent
     */
    private static boolean sendAndSeeIfClosed(int port, Stream s) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoLinger(true, 0); // no TIME_WAIT pile-up over thousands of connections
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            try {
                out.write(s.fuzz().bytes());
                out.flush();
            } catch (IOException e) {
                return true; // reset while writing: the server closed it
            }
            if (s.breaksProtocol()) {
                socket.setSoTimeout(5000);
                return readsToEnd(in);
            }
            try {
                if (s.atFrameBoundary()) {
                    // The server must still be there: a heartbeat is answered.
                    out.write(heartbeat());
                    out.flush();
                    socket.setSoTimeout(5000);
                    return !answersHeartbeat(in);
                }
                // The server waits for the rest of a frame: it must not have closed.
                socket.setSoTimeout(20);
                return readsToEnd(in);
            } catch (IOException e) {
                return true;
            }
        } catch (IOException e) {
            throw new AssertionError("cannot connect to the server: " + e, e);
        }
    }

    private static boolean readsToEnd(InputStream in) {
        byte[] buf = new byte[8192];
        try {
            while (in.read(buf) >= 0) {
                // responses to the valid frames before the bad one
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** Whether the answer to our heartbeat (request id 0x7ead7ead) arrives before the server closes. */
    private static boolean answersHeartbeat(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        byte[] window = new byte[0];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                byte[] grown = new byte[window.length + n];
                System.arraycopy(window, 0, grown, 0, window.length);
                System.arraycopy(buf, 0, grown, window.length, n);
                window = grown;
                for (int i = 0; i + 12 <= window.length; i++) {
                    if (window[i] == 0x4F
                            && window[i + 1] == 0x52
                            && (window[i + 3] & 0x03) == 0x03
                            && window[i + 8] == 0x7e
                            && window[i + 9] == (byte) 0xad
                            && window[i + 10] == 0x7e
                            && window[i + 11] == (byte) 0xad) {
                        return true;
                    }
                }
            }
            return false; // closed by the server
        } catch (SocketTimeoutException e) {
            return false; // neither answered nor closed within 5 s
        } catch (IOException e) {
            return false; // reset
        }
    }

    private static byte[] heartbeat() {
        byte[] h = new byte[24];
        h[0] = 0x4F;
        h[1] = 0x52;
        h[2] = 1;
        h[3] = 0x02; // HEARTBEAT request
        h[8] = 0x7e;
        h[9] = (byte) 0xad;
        h[10] = 0x7e;
        h[11] = (byte) 0xad;
        return h;
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
