package io.outrigger.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.Status;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.server.ServiceReflection;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.Heap;
import io.outrigger.core.testing.LogCapture;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import io.outrigger.sidecar.HttpFuzzer.Expect;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the sidecar's HTTP endpoint over real sockets on 127.0.0.1: {@link HttpFuzzer} batches sent
 * pipelined over several connections at once to a sidecar in front of a static Java provider, while
 * a well-formed client keeps calling through the same sidecar. Every answer must be well-formed HTTP
 * with {@code X-Outrigger-Status}; every error the JSON error shape; every request the fuzzer knows to
 * be valid a 200 echoing its text, and every one it knows to be bad a 4xx (or, where the HTTP itself
 * is broken, a closed connection). No handler may throw, the heap after GC must stay bounded, no
 * buffer may leak, and the well-formed client must see no failure.
 *
 * <p>The build sends {@code outrigger.fuzz.httpRequests} (default 100,000) requests over {@code
 * outrigger.fuzz.httpConnections} (default 8) concurrent connections. Longer run: {@code
 * -Doutrigger.fuzz.httpRequests=1000000}.
 */
class HttpEndpointFuzzTest {

    static final long SEED = Long.getLong("outrigger.fuzz.seed", 20261109L);
    static final long REQUESTS = Long.getLong("outrigger.fuzz.httpRequests", 100_000L);
    static final int CONNECTIONS = Integer.getInteger("outrigger.fuzz.httpConnections", 8);
    static final int MAX_BODY = 16 * 1024;
    static final Pattern ERROR_SHAPE =
            Pattern.compile("\\{\"status\":\"([A-Z_]+)\",\"message\":\".*\"}", Pattern.DOTALL);

    /** Echoes without sleeping (fuzzed bodies are never asked to) and fails without a stack trace. */
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

    /** One HTTP response as read from the socket. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        boolean closes() {
            return "close".equalsIgnoreCase(header("Connection"));
        }
    }

    /** What was seen, for the figures and the assertions. */
    static final class Outcomes {
        final LongAdder requests = new LongAdder();
        final LongAdder batches = new LongAdder();
        final Map<String, LongAdder> byClass = new ConcurrentHashMap<>();
        final Map<String, LongAdder> byKind = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
        final LongAdder violationCount = new LongAdder();

        void count(String kind, String outcome) {
            byClass.computeIfAbsent(outcome, k -> new LongAdder()).increment();
            byKind.computeIfAbsent(kind + " " + outcome, k -> new LongAdder()).increment();
        }

        void violation(HttpFuzzer.Batch batch, int i, String what) {
            violationCount.increment();
            if (violations.size() < 20) {
                HttpFuzzer.Request r =
                        i < batch.requests().size() ? batch.requests().get(i) : null;
                String bytes = r == null
                        ? ""
                        : new String(r.bytes(), 0, Math.min(r.bytes().length, 300), StandardCharsets.ISO_8859_1);
                violations.add("seed " + SEED + " batch " + batch.index() + " request " + i + " ("
                        + (r == null ? "?" : r.kind() + ", expected " + r.expect()) + "): " + what + "\n  sent: "
                        + bytes.replace("\r", "\\r").replace("\n", "\\n"));
            }
        }

        static Map<String, Long> sorted(Map<String, LongAdder> m) {
            Map<String, Long> out = new TreeMap<>();
            m.forEach((k, v) -> out.put(k, v.sum()));
            return out;
        }
    }

    @Test
    void badRequestsCostTheirConnectionAtMostAndWellFormedCallersNothing() throws Exception {
        StaticRegistry registry = new StaticRegistry();
        RpcServer provider = RpcServer.builder()
                .host("127.0.0.1")
                .port(0)
                .registry(registry)
                .propagationDelay(Duration.ZERO)
                .service(EchoService.class, new QuickEcho())
                .interceptor(ServiceReflection.of(EchoService.class))
                .build()
                .start();
        Sidecar sidecar = Sidecar.start(
                SidecarConfig.builder()
                        .http("127.0.0.1:0")
                        .maxBodyBytes(MAX_BODY)
                        .build(),
                registry);
        HttpFuzzer fuzzer = new HttpFuzzer(SEED, MAX_BODY);
        Outcomes outcomes = new Outcomes();
        AtomicBoolean fuzzing = new AtomicBoolean(true);
        AtomicLong wellFormedCalls = new AtomicLong();
        ConcurrentLinkedQueue<String> wellFormedFailures = new ConcurrentLinkedQueue<>();
        ExecutorService threads = Executors.newFixedThreadPool(CONNECTIONS + 2);
        ExecutorService senders = Executors.newCachedThreadPool();
        try (LogCapture logs = LogCapture.quiet(line -> !line.contains(" WARN ") && !line.contains(" ERROR "))) {
            // Warm up (descriptors for JSON, the provider's connection) before measuring the heap.
            wellFormedCall(sidecar.httpPort(), HttpClient.newHttpClient(), "warm-up");
            long heapBefore = Heap.usedAfterGc();
            long start = System.nanoTime();
            List<Future<?>> wellFormed = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int thread = t;
                wellFormed.add(threads.submit(() -> {
                    HttpClient client = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .build();
                    for (long i = 0; fuzzing.get(); i++) {
                        try {
                            wellFormedCall(sidecar.httpPort(), client, "well-formed " + thread + "/" + i);
                            wellFormedCalls.incrementAndGet();
                            // A steady caller, not a flood: the fuzzing connections get the CPU.
                            Thread.sleep(2);
                        } catch (Exception | AssertionError e) {
                            wellFormedFailures.add(e.toString());
                        }
                    }
                }));
            }
            AtomicLong nextBatch = new AtomicLong();
            List<Future<?>> fuzzers = new ArrayList<>();
            for (int c = 0; c < CONNECTIONS; c++) {
                fuzzers.add(threads.submit(() -> {
                    while (outcomes.requests.sum() < REQUESTS) {
                        HttpFuzzer.Batch batch = fuzzer.batch(nextBatch.getAndIncrement());
                        send(sidecar.httpPort(), batch, outcomes, senders);
                    }
                    return null;
                }));
            }
            for (Future<?> f : fuzzers) {
                f.get(10, TimeUnit.MINUTES);
            }
            fuzzing.set(false);
            for (Future<?> f : wellFormed) {
                f.get(1, TimeUnit.MINUTES);
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            long heapAfter = Heap.usedAfterGc();

            String figures = "HTTP FUZZ seed=" + SEED + " requests=" + outcomes.requests.sum() + " connections="
                    + outcomes.batches.sum() + " parallel=" + CONNECTIONS + " time=" + millis + " ms heap="
                    + heapBefore / (1024 * 1024) + "->" + heapAfter / (1024 * 1024) + " MB well-formed calls="
                    + wellFormedCalls.get() + " failed=" + wellFormedFailures.size() + "\n  outcomes: "
                    + Outcomes.sorted(outcomes.byClass) + "\n  by kind: " + Outcomes.sorted(outcomes.byKind);
            System.out.println(figures);

            assertThat(outcomes.violations).as(figures).isEmpty();
            assertThat(wellFormedFailures).as(figures).isEmpty();
            assertThat(wellFormedCalls.get()).isPositive();
            assertThat(logs.count("HTTP route failed")).as("a handler threw").isZero();
            assertThat(logs.lines().stream().filter(l -> l.contains("Exception") && l.contains(" WARN ")))
                    .as("warnings with exceptions")
                    .isEmpty();
            assertThat(heapAfter - heapBefore).as("heap growth after GC").isLessThan(64L * 1024 * 1024);
            // Still serving, with no connection left behind by the fuzzing beyond the idle ones it closed.
            assertThat(sidecar.isReady()).isTrue();
            wellFormedCall(sidecar.httpPort(), HttpClient.newHttpClient(), "after the fuzzing");
        } finally {
            fuzzing.set(false);
            threads.shutdownNow();
            senders.shutdownNow();
            sidecar.close();
            provider.shutdown(Duration.ofSeconds(2));
        }
    }

    static void wellFormedCall(int port, HttpClient client, String text) throws Exception {
        HttpResponse<byte[]> response = client.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/rpc/test.EchoService/echo"))
                        .header("Content-Type", "application/x-protobuf")
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(HttpFuzzer.echo(text)))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new AssertionError(
                    "HTTP " + response.statusCode() + ": " + new String(response.body(), StandardCharsets.UTF_8));
        }
        String echoed = EchoReply.parseFrom(response.body()).getText();
        if (!echoed.equals(text)) {
            throw new AssertionError("echoed \"" + echoed + "\" for \"" + text + "\"");
        }
    }

    /**
     * Sends one batch on a new connection and checks the answers. Requests the server can find the
     * end of are answered in order; after the last of them, a request that ends in a lie, a cut or
     * garbage is followed by closing the sending side, after which whatever comes must be
     * well-formed.
     */
    static void send(int port, HttpFuzzer.Batch batch, Outcomes outcomes, ExecutorService senders) {
        List<HttpFuzzer.Request> requests = batch.requests();
        outcomes.batches.increment();
        outcomes.requests.add(requests.size());
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(15_000);
            socket.setSoLinger(true, 0); // no TIME_WAIT pile-up across a hundred thousand connections
            OutputStream out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            Random chunks = new Random(batch.index());
            byte[] bytes = batch.bytes();
            // Sent on a separate thread so that a server that answers before reading everything (413)
            // cannot deadlock us against full socket buffers.
            CompletableFuture<Void> sending = CompletableFuture.runAsync(
                    () -> {
                        try {
                            int i = 0;
                            while (i < bytes.length) {
                                int n = Math.min(
                                        bytes.length - i, chunks.nextInt(4) == 0 ? 1 + chunks.nextInt(16) : 65536);
                                out.write(bytes, i, n);
                                out.flush();
                                i += n;
                            }
                        } catch (IOException e) {
                            // The server closed the connection after a bad request: expected, checked below.
                        }
                    },
                    senders);
            HttpFuzzer.Request lastRequest = requests.get(requests.size() - 1);
            boolean openEnded = lastRequest.last() && lastRequest.expect() == Expect.ANY;
            int certain = openEnded ? requests.size() - 1 : requests.size();
            boolean closed = false;
            for (int i = 0; i < certain; i++) {
                HttpFuzzer.Request r = requests.get(i);
                if (closed) {
                    outcomes.count(r.kind(), "unanswered (connection closed earlier)");
                    continue;
                }
                Response response;
                try {
                    response = read(in);
                } catch (EOFException | SocketException e) {
                    response = null;
                }
                if (response == null) {
                    closed = true;
                    if (r.expect() == Expect.OK || r.expect() == Expect.ERROR) {
                        outcomes.violation(batch, i, "connection closed without an answer");
                    }
                    outcomes.count(r.kind(), "closed");
                    continue;
                }
                check(batch, i, r, response, outcomes);
                if (response.closes()) {
                    closed = true;
                }
            }
            if (openEnded && !closed) {
                sending.join();
                socket.shutdownOutput();
                int answers = 0;
                while (true) {
                    Response response;
                    try {
                        response = read(in);
                    } catch (EOFException | SocketException e) {
                        response = null;
                    }
                    if (response == null) {
                        break;
                    }
                    answers++;
                    check(batch, requests.size() - 1, lastRequest, response, outcomes);
                }
                if (answers == 0) {
                    outcomes.count(lastRequest.kind(), "closed");
                }
            } else if (openEnded) {
                outcomes.count(lastRequest.kind(), "unanswered (connection closed earlier)");
            }
        } catch (java.net.SocketTimeoutException e) {
            outcomes.violation(batch, -1, "no answer within 15 s: " + e);
        } catch (IOException e) {
            outcomes.violation(batch, -1, "I/O error: " + e);
        } catch (IllegalStateException e) {
            outcomes.violation(batch, -1, "malformed answer: " + e.getMessage());
        }
    }

    static void check(HttpFuzzer.Batch batch, int i, HttpFuzzer.Request r, Response response, Outcomes outcomes) {
        int status = response.status();
        String code = response.header("X-Outrigger-Status");
        String contentLength = response.header("Content-Length");
        outcomes.count(r.kind(), status + " " + code);
        if (code == null || contentLength == null) {
            outcomes.violation(batch, i, "HTTP " + status + " without X-Outrigger-Status or Content-Length");
            return;
        }
        if (status >= 500 && response.text().contains("sidecar error")) {
            outcomes.violation(batch, i, "a handler failed: " + response.text());
        }
        if (status >= 400) {
            Matcher m = ERROR_SHAPE.matcher(response.text());
            if (!"application/json".equals(response.header("Content-Type"))
                    || !m.matches()
                    || !m.group(1).equals(code)) {
                outcomes.violation(batch, i, "HTTP " + status + " without the JSON error shape: " + response.text());
            }
        }
        switch (r.expect()) {
            case OK -> {
                if (status != 200) {
                    outcomes.violation(batch, i, "expected 200, got " + status + " " + response.text());
                } else if (!echoes(r, response)) {
                    outcomes.violation(batch, i, "200 that does not echo \"" + r.echoText() + "\"");
                }
            }
            case ERROR, ERROR_OR_CLOSE -> {
                if (status < 400 || status >= 500) {
                    outcomes.violation(batch, i, "expected a 4xx, got " + status + " " + response.text());
                }
            }
            case ANY -> {
                if (status != 200 && status < 400) {
                    outcomes.violation(batch, i, "unexpected HTTP " + status);
                }
            }
        }
    }

    static boolean echoes(HttpFuzzer.Request r, Response response) {
        if (r.echoText() == null) {
            return true;
        }
        if (r.json()) {
            return response.text().equals("{\"text\":\"" + r.echoText() + "\"}");
        }
        try {
            return EchoReply.parseFrom(response.body()).getText().equals(r.echoText());
        } catch (IOException e) {
            return false;
        }
    }

    /** Reads one final response (skipping 1xx), or {@code null} at a clean end of stream. */
    static Response read(InputStream in) throws IOException {
        while (true) {
            String statusLine = line(in);
            if (statusLine == null) {
                return null;
            }
            if (!statusLine.startsWith("HTTP/1.")) {
                throw new IllegalStateException("status line \"" + statusLine + "\"");
            }
            int status = Integer.parseInt(statusLine.substring(9, 12));
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                int colon = h.indexOf(':');
                headers.put(
                        h.substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        h.substring(colon + 1).strip());
            }
            if (status < 200) {
                continue;
            }
            String length = headers.get("content-length");
            byte[] body = in.readNBytes(length == null ? 0 : Integer.parseInt(length));
            if (length != null && body.length != Integer.parseInt(length)) {
                throw new IllegalStateException("body cut at " + body.length + " of " + length + " bytes");
            }
            return new Response(status, headers, body);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
            }
            b.write(c);
            if (b.size() > 64 * 1024) {
                throw new IllegalStateException("header line over 64 KiB");
            }
        }
        if (b.size() > 0) {
            throw new IllegalStateException("answer cut inside a line: \"" + b + "\"");
        }
        return null;
    }
}
