package io.outrigger.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.server.ServiceReflection;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.serialization.testing.TestMessages;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.sidecar.H2cClient.Answer;
import io.outrigger.sidecar.Python.Request;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 with prior knowledge (h2c) on the sidecar's HTTP port: many calls multiplexed on one
 * connection, the same answers as HTTP/1.1, HTTP/1.1 callers on the same port unaffected, and a
 * malformed HTTP/2 connection closed alone.
 */
class H2cTest {

    static final String ECHO = "/rpc/test.EchoService/echo";
    static final String ECHO_ASYNC = "/rpc/test.EchoService/echoAsync";
    static final String PROTOBUF = "application/x-protobuf";
    static final int MAX_BODY = 64 * 1024;

    static final EchoServiceImpl impl = new EchoServiceImpl();
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
                .service(EchoService.class, impl)
                .interceptor(ServiceReflection.of(EchoService.class))
                .build()
                .start();
        sidecar = Sidecar.start(
                SidecarConfig.builder()
                        .http("127.0.0.1:0")
                        .maxBodyBytes(MAX_BODY)
                        .build(),
                registry);
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

    static Answer await(CompletableFuture<Answer> answer) throws Exception {
        return answer.get(10, TimeUnit.SECONDS);
    }

    @Test
    void twoHundredCallsInFlightOnOneConnectionAllSucceed() throws Exception {
        try (H2cClient client = new H2cClient(sidecar.httpPort())) {
            await(client.post(ECHO, PROTOBUF, echo("warm-up", 0))); // the provider's connection is up
            long start = System.nanoTime();
            List<CompletableFuture<Answer>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                answers.add(client.post(ECHO_ASYNC, PROTOBUF, echo("call " + i, 200)));
            }
            for (int i = 0; i < 200; i++) {
                Answer a = await(answers.get(i));
                assertThat(a.status()).as(a.text()).isEqualTo(200);
                assertThat(a.header("x-outrigger-status")).isEqualTo("OK");
                assertThat(a.header("content-type")).isEqualTo(PROTOBUF);
                assertThat(EchoReply.parseFrom(a.body()).getText()).isEqualTo("call " + i);
            }
            // 200 calls of 200 ms each: one after the other would take 40 s; in flight together, well under 5.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            assertThat(client.isOpen()).isTrue();
        }
    }

    @Test
    void jsonIsTranscodedAsOnHttp1() throws Exception {
        try (H2cClient client = new H2cClient(sidecar.httpPort())) {
            Answer a = await(client.post(
                    ECHO,
                    "application/json; charset=utf-8",
                    "{\"text\": \"hi\", \"data\": \"aGk=\"}".getBytes(StandardCharsets.UTF_8)));

            assertThat(a.status()).as(a.text()).isEqualTo(200);
            assertThat(a.header("content-type")).isEqualTo("application/json");
            assertThat(a.text()).isEqualTo("{\"text\":\"hi\",\"data\":\"aGk=\"}");
        }
    }

    @Test
    void headersTravelAsMetadataAndBack() throws Exception {
        try (H2cClient client = new H2cClient(sidecar.httpPort())) {
            Answer a = await(client.send(
                    "POST",
                    ECHO,
                    Map.of(
                            "content-type",
                            PROTOBUF,
                            "x-outrigger-meta-tenant",
                            "acme",
                            "x-outrigger-timeout-ms",
                            "2000"),
                    echo("meta", 0)));

            assertThat(a.status()).as(a.text()).isEqualTo(200);
            assertThat(EchoReply.parseFrom(a.body()).getText()).isEqualTo("meta");
        }
    }

    @Test
    void failuresMapToTheSameStatusesAsOnHttp1() throws Exception {
        try (H2cClient client = new H2cClient(sidecar.httpPort())) {
            List<CompletableFuture<Answer>> a = List.of(
                    client.post("/rpc/nope.NoSuchService/echo", PROTOBUF, echo("x", 0)),
                    client.post("/rpc/test.EchoService/noSuchMethod", PROTOBUF, echo("x", 0)),
                    client.post(ECHO, "application/json", "{\"text\": ".getBytes(StandardCharsets.UTF_8)),
                    client.post(ECHO, "text/plain", "hello".getBytes(StandardCharsets.UTF_8)),
                    client.post("/rpc/test.EchoService/fail", PROTOBUF, echo("boom", 0)),
                    client.send(
                            "POST",
                            ECHO,
                            Map.of("content-type", PROTOBUF, "x-outrigger-timeout-ms", "soon"),
                            echo("x", 0)),
                    client.send("GET", ECHO, Map.of(), new byte[0]),
                    client.send("GET", "/nowhere", Map.of(), new byte[0]));

            assertFailure(await(a.get(0)), 404, "NOT_FOUND", "nope.NoSuchService");
            assertFailure(await(a.get(1)), 404, "UNIMPLEMENTED", "noSuchMethod");
            assertFailure(await(a.get(2)), 400, "INVALID_ARGUMENT", "invalid JSON");
            assertFailure(await(a.get(3)), 415, "INVALID_ARGUMENT", "text/plain");
            assertFailure(await(a.get(4)), 500, "INTERNAL", "internal error (error id");
            assertFailure(await(a.get(5)), 400, "INVALID_ARGUMENT", "X-Outrigger-Timeout-Ms");
            assertFailure(await(a.get(6)), 405, "UNIMPLEMENTED", "POST");
            assertThat(await(a.get(6)).header("allow")).isEqualTo("POST");
            assertFailure(await(a.get(7)), 404, "NOT_FOUND", "/nowhere");
            Answer health = await(client.send("GET", "/health", Map.of(), new byte[0]));
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.text()).isEqualTo("{\"status\":\"UP\"}");
        }
    }

    @Test
    void oversizedBodiesAre413AndTheConnectionKeepsServing() throws Exception {
        try (H2cClient client = new H2cClient(sidecar.httpPort())) {
            Answer sent = await(client.post(ECHO, PROTOBUF, new byte[MAX_BODY + 1]));
            Answer declared = await(client.send(
                    "POST",
                    ECHO,
                    Map.of("content-type", PROTOBUF, "content-length", String.valueOf(10 * MAX_BODY)),
                    new byte[10 * MAX_BODY])); // answered from the headers, before the body is read
            Answer after = await(client.post(ECHO, PROTOBUF, echo("after", 0)));

            assertFailure(sent, 413, "RESOURCE_EXHAUSTED", "--max-body-bytes");
            assertFailure(declared, 413, "RESOURCE_EXHAUSTED", "--max-body-bytes");
            assertThat(after.status()).isEqualTo(200);
            assertThat(EchoReply.parseFrom(after.body()).getText()).isEqualTo("after");
            assertThat(client.isOpen()).isTrue();
        }
    }

    @Test
    void unfinishedBodiesOfOneConnectionAreBoundedAndOtherConnectionsKeepServing() throws Exception {
        // 300 requests each sending a body at the limit (64 KiB) and not finishing it: 19.2 MiB, over
        // the 16 MiB a connection may buffer. Those over it are answered 503 at once.
        try (H2cClient greedy = new H2cClient(sidecar.httpPort());
                H2cClient other = new H2cClient(sidecar.httpPort())) {
            List<CompletableFuture<Answer>> unfinished = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                unfinished.add(greedy.postUnfinished(ECHO, PROTOBUF, new byte[MAX_BODY]));
            }
            int fit = 16 * 1024 * 1024 / MAX_BODY; // 256 whole bodies; frames of streams may interleave
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(20))
                    .until(() -> unfinished.stream()
                                    .filter(CompletableFuture::isDone)
                                    .count()
                            >= 300 - fit);
            for (CompletableFuture<Answer> call : unfinished) {
                if (call.isDone()) {
                    assertFailure(call.get(), 503, "RESOURCE_EXHAUSTED", "request bodies at once");
                }
            }

            Answer meanwhile = await(other.post(ECHO, PROTOBUF, echo("meanwhile", 0)));
            assertThat(meanwhile.status()).isEqualTo(200);
            assertThat(EchoReply.parseFrom(meanwhile.body()).getText()).isEqualTo("meanwhile");
        }
    }

    @Test
    void headersOverTheLimitAre431AndTheConnectionKeepsServing() throws Exception {
        try (H2cClient client = new H2cClient(sidecar.httpPort())) {
            Answer big = await(client.send(
                    "POST",
                    ECHO,
                    Map.of("content-type", PROTOBUF, "x-outrigger-meta-big", "x".repeat(17 * 1024)),
                    echo("x", 0)));
            Answer under = await(client.send(
                    "POST",
                    ECHO,
                    Map.of("content-type", PROTOBUF, "x-filler", "x".repeat(12 * 1024)),
                    echo("under", 0)));
            Answer after = await(client.post(ECHO, PROTOBUF, echo("after", 0)));

            assertThat(big.status()).isEqualTo(431);
            assertThat(under.status())
                    .as("12 KiB of headers: under the 16 KiB limit")
                    .isEqualTo(200);
            assertThat(after.status()).isEqualTo(200);
            assertThat(client.isOpen()).isTrue();
        }
    }

    @Test
    void http1CallersOnTheSamePortAreUnaffected() throws Exception {
        try (H2cClient client = new H2cClient(sidecar.httpPort())) {
            CompletableFuture<Answer> slow = client.post(ECHO_ASYNC, PROTOBUF, echo("h2", 300));

            Python.Answer h1 = Python.call(
                            sidecar.httpPort(), Request.post(ECHO, PROTOBUF).echo("h1", 0))
                    .get(0);

            assertThat(h1.status()).isEqualTo(200);
            assertThat(h1.header("X-Outrigger-Status")).isEqualTo("OK");
            assertThat(h1.replyText()).isEqualTo("h1");
            assertThat(EchoReply.parseFrom(await(slow).body()).getText()).isEqualTo("h2");
        }
    }

    @Test
    void theTokenCheckAnswersHttp2AsHttp1(@TempDir Path dir) throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("http-token"), "h2-token\n");
        try (Sidecar guarded = Sidecar.start(
                        SidecarConfig.builder()
                                .http("127.0.0.1:0")
                                .httpTokenFile(tokenFile)
                                .build(),
                        registry);
                H2cClient client = new H2cClient(guarded.httpPort())) {
            Answer none = await(client.post(ECHO, PROTOBUF, echo("no token", 0)));
            Answer wrong = await(client.send(
                    "POST", ECHO, Map.of("content-type", PROTOBUF, "authorization", "Bearer nope"), echo("x", 0)));
            Answer right = await(client.send(
                    "POST", ECHO, Map.of("content-type", PROTOBUF, "authorization", "Bearer h2-token"), echo("ok", 0)));
            Answer health = await(client.send("GET", "/health", Map.of(), new byte[0]));

            assertFailure(none, 401, "UNAUTHENTICATED", "requires a token");
            assertThat(none.header("www-authenticate")).isEqualTo("Bearer");
            assertFailure(wrong, 401, "UNAUTHENTICATED", "wrong token");
            assertThat(right.status()).isEqualTo(200);
            assertThat(EchoReply.parseFrom(right.body()).getText()).isEqualTo("ok");
            assertThat(health.status()).isEqualTo(200);
        }
    }

    @Test
    void aStreamResetBeforeItsAnswerIsForgottenAndTheConnectionGoesOn() throws Exception {
        try (H2cClient client = new H2cClient(sidecar.httpPort())) {
            int before = impl.completed.get();

            client.postThenReset(ECHO_ASYNC, PROTOBUF, echo("given up", 300)).get(5, TimeUnit.SECONDS);

            // The provider still answers the sidecar; the answer has no stream left to go to.
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> impl.completed.get() > before);
            Answer after = await(client.post(ECHO, PROTOBUF, echo("after the reset", 0)));
            assertThat(after.status()).isEqualTo(200);
            assertThat(EchoReply.parseFrom(after.body()).getText()).isEqualTo("after the reset");
            assertThat(client.isOpen()).isTrue();
        }
    }

    @Test
    void aMalformedRequestResetsItsStreamOnly() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        bytes.writeBytes(H2.frame(0x4, 0, 0, new byte[0])); // SETTINGS, empty
        // HPACK by hand: :method GET (static 2), :scheme http (static 6), :path /health (name static 4),
        // then a header whose name has upper case, which HTTP/2 forbids: a stream error.
        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        bad.writeBytes(new byte[] {(byte) 0x82, (byte) 0x86, 0x04, 7});
        bad.writeBytes("/health".getBytes(StandardCharsets.US_ASCII));
        bad.writeBytes(new byte[] {0x00, 5});
        bad.writeBytes("X-Bad".getBytes(StandardCharsets.US_ASCII));
        bad.writeBytes(new byte[] {1, '1'});
        bytes.writeBytes(H2.frame(0x1, 0x5, 1, bad.toByteArray())); // HEADERS, END_STREAM | END_HEADERS
        ByteArrayOutputStream good = new ByteArrayOutputStream();
        good.writeBytes(new byte[] {(byte) 0x82, (byte) 0x86, 0x04, 7});
        good.writeBytes("/health".getBytes(StandardCharsets.US_ASCII));
        bytes.writeBytes(H2.frame(0x1, 0x5, 3, good.toByteArray()));

        try (Socket s = new Socket("127.0.0.1", sidecar.httpPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(bytes.toByteArray());
            s.getOutputStream().flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            boolean reset = false;
            boolean answered = false;
            while (!(reset && answered)) {
                byte[] header = new byte[9];
                in.readFully(header); // EOF here: the connection was closed, not just the stream
                int length = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
                int type = header[3] & 0xff;
                int stream = ((header[5] & 0x7f) << 24)
                        | ((header[6] & 0xff) << 16)
                        | ((header[7] & 0xff) << 8)
                        | (header[8] & 0xff);
                byte[] payload = new byte[length];
                in.readFully(payload);
                assertThat(type).as("no GOAWAY").isNotEqualTo(GOAWAY);
                if (type == 0x3 && stream == 1) {
                    reset = true;
                    assertThat(payload[3]).as("RST_STREAM PROTOCOL_ERROR").isEqualTo((byte) 1);
                }
                if (type == 0x0 && stream == 3 && (header[4] & 0x1) != 0) {
                    answered = true;
                    assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo("{\"status\":\"UP\"}");
                }
            }
        }
    }

    @Test
    void garbageAfterThePrefaceClosesThatConnectionOnly() throws Exception {
        try (H2cClient other = new H2cClient(sidecar.httpPort())) {
            assertThat(await(other.post(ECHO, PROTOBUF, echo("before", 0))).status())
                    .isEqualTo(200);

            List<int[]> frames = rawConnection(("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + "hello, this is not a frame")
                    .getBytes(StandardCharsets.US_ASCII));

            assertThat(frames).as("GOAWAY before the close").anyMatch(f -> f[0] == GOAWAY);
            assertThat(other.isOpen()).isTrue();
            assertThat(await(other.post(ECHO, PROTOBUF, echo("after", 0))).status())
                    .isEqualTo(200);
        }
    }

    @Test
    void aBadFrameClosesThatConnectionWithAProtocolError() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        bytes.writeBytes(H2.frame(0x4, 0, 0, new byte[0])); // SETTINGS, empty
        bytes.writeBytes(H2.frame(0x0, 0, 0, new byte[] {1, 2, 3})); // DATA on stream 0: a connection error

        List<int[]> frames = rawConnection(bytes.toByteArray());

        assertThat(frames).as("GOAWAY with PROTOCOL_ERROR (1)").anyMatch(f -> f[0] == GOAWAY && f[1] == 1);
        try (H2cClient client = new H2cClient(sidecar.httpPort())) {
            assertThat(await(client.post(ECHO, PROTOBUF, echo("still serving", 0)))
                            .status())
                    .isEqualTo(200);
        }
    }

    static final int GOAWAY = 0x7;

    /**
     * Sends {@code bytes} on a new connection and reads frames until the sidecar closes it: each
     * frame as {type, GOAWAY's error code or -1}. Fails if the connection stays open.
     */
    static List<int[]> rawConnection(byte[] bytes) throws Exception {
        List<int[]> frames = new ArrayList<>();
        try (Socket s = new Socket("127.0.0.1", sidecar.httpPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            InputStream in = s.getInputStream();
            DataInputStream data = new DataInputStream(in);
            while (true) {
                byte[] header = new byte[9];
                try {
                    data.readFully(header);
                } catch (EOFException closed) {
                    return frames;
                }
                int length = ((header[0] & 0xff) << 16) | ((header[1] & 0xff) << 8) | (header[2] & 0xff);
                byte[] payload = new byte[length];
                data.readFully(payload);
                int type = header[3] & 0xff;
                int error = type == GOAWAY && length >= 8
                        ? ((payload[4] & 0xff) << 24)
                                | ((payload[5] & 0xff) << 16)
                                | ((payload[6] & 0xff) << 8)
                                | (payload[7] & 0xff)
                        : -1;
                frames.add(new int[] {type, error});
            }
        }
    }

    static void assertFailure(Answer a, int status, String code, String messagePart) {
        assertThat(a.status()).as("HTTP status of %s", a.text()).isEqualTo(status);
        assertThat(a.header("x-outrigger-status")).isEqualTo(code);
        assertThat(a.header("content-type")).isEqualTo("application/json");
        assertThat(a.text())
                .startsWith("{\"status\":\"" + code + "\",\"message\":\"")
                .contains(messagePart);
    }
}
