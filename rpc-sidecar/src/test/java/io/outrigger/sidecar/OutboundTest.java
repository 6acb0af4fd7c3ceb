package io.outrigger.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.Metadata;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.server.ServiceReflection;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.ThriftEchoService;
import io.outrigger.governance.LoadBalancing;
import io.outrigger.serialization.ThriftSerializer;
import io.outrigger.serialization.testing.TestMessages;
import io.outrigger.serialization.testing.thrift.gen.ThriftEchoReply;
import io.outrigger.sidecar.Python.Answer;
import io.outrigger.sidecar.Python.Request;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A python3 caller through the sidecar to Java providers: the outbound contract. */
class OutboundTest {

    static final String ECHO = "/rpc/test.EchoService/echo";
    static final String PROTOBUF = "application/x-protobuf";

    static final EchoServiceImpl first = new EchoServiceImpl();
    static final EchoServiceImpl second = new EchoServiceImpl();
    static final AtomicReference<Metadata> lastMetadata = new AtomicReference<>();
    static StaticRegistry registry;
    static RpcServer server1;
    static RpcServer server2;
    static Sidecar sidecar;

    @BeforeAll
    static void start() {
        registry = new StaticRegistry();
        server1 = provider(first);
        server2 = provider(second);
        sidecar = Sidecar.start(
                SidecarConfig.builder()
                        .http("127.0.0.1:0")
                        .maxBodyBytes(64 * 1024)
                        .loadBalancing(LoadBalancing.ROUND_ROBIN)
                        .build(),
                registry);
    }

    static RpcServer provider(EchoServiceImpl impl) {
        return RpcServer.builder()
                .host("127.0.0.1")
                .port(0)
                .registry(registry)
                .propagationDelay(Duration.ZERO)
                .service(EchoService.class, impl)
                .service(ThriftEchoService.class, impl)
                .interceptor((request, next) -> {
                    lastMetadata.set(request.metadata());
                    return next.invoke(request);
                })
                .interceptor(ServiceReflection.of(EchoService.class))
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        sidecar.close();
        server1.shutdown(Duration.ofSeconds(2));
        server2.shutdown(Duration.ofSeconds(2));
    }

    @Test
    void protobufBytesGoThroughUndecoded() throws Exception {
        Answer a = Python.call(sidecar.httpPort(), Request.post(ECHO, PROTOBUF).echo("hello, outrigger", 0))
                .get(0);

        assertThat(a.status()).isEqualTo(200);
        assertThat(a.header("Content-Type")).isEqualTo(PROTOBUF);
        assertThat(a.header("X-Outrigger-Status")).isEqualTo("OK");
        assertThat(a.replyText()).isEqualTo("hello, outrigger");
    }

    @Test
    void jsonIsTranscodedWithThePublishedDescriptors() throws Exception {
        Answer a = Python.call(
                        sidecar.httpPort(),
                        Request.post(ECHO, "application/json; charset=utf-8")
                                .body("{\"text\": \"hi\", \"data\": \"aGk=\"}"))
                .get(0);

        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(a.header("Content-Type")).isEqualTo("application/json");
        assertThat(a.body()).isEqualTo("{\"text\":\"hi\",\"data\":\"aGk=\"}");
    }

    @Test
    void thriftBytesGoThroughUndecoded() throws Exception {
        byte[] request = ThriftSerializer.INSTANCE.encode(TestMessages.thriftEchoRequest("thrifty"));

        Answer a = Python.call(
                        sidecar.httpPort(),
                        Request.post("/rpc/test.ThriftEchoService/echo", "application/x-thrift")
                                .bodyHex(HexFormat.of().formatHex(request)))
                .get(0);

        assertThat(a.status()).as(a.body()).isEqualTo(200);
        assertThat(a.header("Content-Type")).isEqualTo("application/x-thrift");
        ThriftEchoReply reply =
                ThriftSerializer.INSTANCE.decode(HexFormat.of().parseHex(a.bodyHex()), ThriftEchoReply.class);
        assertThat(reply.getText()).isEqualTo("thrifty");
    }

    @Test
    void headersTravelAsMetadata() throws Exception {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        Answer a = Python.call(
                        sidecar.httpPort(),
                        Request.post(ECHO, PROTOBUF)
                                .echo("meta", 0)
                                .header("X-Outrigger-Version", "*") // they route: * matches these providers
                                .header("X-Outrigger-Group", "*")
                                .header("X-Outrigger-Tag", "canary")
                                .header("X-Outrigger-Hash-Key", "user-7")
                                .header("traceparent", traceparent)
                                .header("tracestate", "vendor=1")
                                .header("X-Outrigger-Meta-Tenant", "acme")
                                .header("X-Unrelated", "dropped"))
                .get(0);

        assertThat(a.status()).isEqualTo(200);
        Metadata md = lastMetadata.get();
        assertThat(md.get("outrigger-version")).isEqualTo("*");
        assertThat(md.get("outrigger-group")).isEqualTo("*");
        assertThat(md.get("outrigger-tag")).isEqualTo("canary");
        assertThat(md.get("outrigger-hash-key")).isEqualTo("user-7");
        assertThat(md.get("traceparent")).isEqualTo(traceparent);
        assertThat(md.get("tracestate")).isEqualTo("vendor=1");
        assertThat(md.get("tenant")).isEqualTo("acme");
        assertThat(md.contains("x-unrelated")).isFalse();
    }

    @Test
    void loadIsSpreadOverBothProviders() throws Exception {
        int before1 = first.completed.get();
        int before2 = second.completed.get();
        Request[] calls = new Request[20];
        for (int i = 0; i < calls.length; i++) {
            calls[i] = Request.post(ECHO, PROTOBUF).echo("n" + i, 0);
        }

        List<Answer> answers = Python.call(sidecar.httpPort(), calls);

        assertThat(answers).extracting(Answer::status).containsOnly(200);
        int got1 = first.completed.get() - before1;
        int got2 = second.completed.get() - before2;
        assertThat(got1 + got2).isEqualTo(20);
        assertThat(got1).isBetween(5, 15);
        assertThat(got2).isBetween(5, 15);
    }

    @Test
    void failuresMapToTheContractsHttpStatuses() throws Exception {
        long start = System.nanoTime();
        List<Answer> a = Python.call(
                sidecar.httpPort(),
                Request.post("/rpc/nope.NoSuchService/echo", PROTOBUF).echo("x", 0),
                Request.post("/rpc/test.EchoService/noSuchMethod", PROTOBUF).echo("x", 0),
                Request.post(ECHO, "application/json").body("{\"text\": "),
                Request.post(ECHO, "application/json").body("{\"nosuchfield\": 1}"),
                Request.post(ECHO, PROTOBUF).echo("slow", 3000).header("X-Outrigger-Timeout-Ms", "200"),
                Request.post(ECHO, "text/plain").body("hello"),
                Request.post("/rpc/test.EchoService/fail", PROTOBUF).echo("boom", 0),
                Request.post(ECHO, PROTOBUF).echo("x", 0).header("X-Outrigger-Timeout-Ms", "soon"),
                Request.post(ECHO, PROTOBUF).bodyHex("ffffffff"),
                Request.post("/rpc/test.ThriftEchoService/echo", "application/json")
                        .body("{}"),
                Request.get(ECHO),
                Request.get("/nowhere"));

        assertFailure(a.get(0), 404, "NOT_FOUND", "nope.NoSuchService");
        assertFailure(a.get(1), 404, "UNIMPLEMENTED", "noSuchMethod");
        assertFailure(a.get(2), 400, "INVALID_ARGUMENT", "invalid JSON");
        assertFailure(a.get(3), 400, "INVALID_ARGUMENT", "nosuchfield");
        assertFailure(a.get(4), 504, "DEADLINE_EXCEEDED", "");
        assertFailure(a.get(5), 415, "INVALID_ARGUMENT", "text/plain");
        assertFailure(a.get(6), 500, "INTERNAL", "internal error (error id");
        assertFailure(a.get(7), 400, "INVALID_ARGUMENT", "X-Outrigger-Timeout-Ms");
        assertFailure(a.get(8), 400, "INVALID_ARGUMENT", "");
        assertFailure(a.get(9), 415, "INVALID_ARGUMENT", "--descriptors");
        assertFailure(a.get(10), 405, "UNIMPLEMENTED", "POST");
        assertThat(a.get(10).header("Allow")).isEqualTo("POST");
        assertFailure(a.get(11), 404, "NOT_FOUND", "/nowhere");
        // The slow call was cut at its deadline, not after the provider's 3 s.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
    }

    @Test
    void oversizedBodiesAre413AndTheEndpointKeepsServing() throws Exception {
        List<Answer> a = Python.call(
                sidecar.httpPort(),
                Request.post(ECHO, PROTOBUF).body("x".repeat(100 * 1024)),
                Request.post(ECHO, PROTOBUF).echo("after", 0));

        assertFailure(a.get(0), 413, "RESOURCE_EXHAUSTED", "--max-body-bytes");
        assertThat(a.get(1).status()).isEqualTo(200);
        assertThat(a.get(1).replyText()).isEqualTo("after");
    }

    @Test
    void healthSaysUp() throws Exception {
        Answer a = Python.call(sidecar.httpPort(), Request.get("/health")).get(0);

        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body()).isEqualTo("{\"status\":\"UP\"}");
    }

    @Test
    void adminShowsTheProvidersSeen() throws Exception {
        Python.call(sidecar.httpPort(), Request.post(ECHO, PROTOBUF).echo("x", 0));

        Answer a = Python.call(sidecar.httpPort(), Request.get("/admin")).get(0);

        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body())
                .contains("\"test.EchoService\":[")
                .contains("127.0.0.1:" + server1.port())
                .contains("127.0.0.1:" + server2.port())
                .containsPattern("\"breakers\":\\{[^}]*\"test.EchoService/echo\":\"CLOSED\"");
    }

    @Test
    void malformedHttpIs400AndOtherConnectionsAreUnaffected() throws Exception {
        try (Socket s = new Socket("127.0.0.1", sidecar.httpPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("THIS IS NOT HTTP\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 400").contains("X-Outrigger-Status: INVALID_ARGUMENT");
        }
        assertThat(Python.call(sidecar.httpPort(), Request.post(ECHO, PROTOBUF).echo("fine", 0))
                        .get(0)
                        .replyText())
                .isEqualTo("fine");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        byte[] slow = TestMessages.echoRequest("slow").toBuilder()
                .setSleepMillis(300)
                .build()
                .toByteArray();
        byte[] fast = TestMessages.echoRequest("fast").toByteArray();
        try (Socket s = new Socket("127.0.0.1", sidecar.httpPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(httpPost(ECHO, slow));
            out.write(httpPost(ECHO, fast));
            out.flush();
            String first = readResponse(s.getInputStream());
            String second = readResponse(s.getInputStream());
            assertThat(first).contains("200 OK").contains("slow");
            assertThat(second).contains("200 OK").contains("fast");
        }
    }

    @Test
    void aPipelined413WaitsForTheAnswersBeforeIt() throws Exception {
        byte[] slow = TestMessages.echoRequest("slow").toBuilder()
                .setSleepMillis(300)
                .build()
                .toByteArray();
        byte[] oversized = new byte[100 * 1024];
        try (Socket s = new Socket("127.0.0.1", sidecar.httpPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(httpPost(ECHO, slow));
            out.write(httpPost(ECHO, oversized));
            out.write(httpPost(ECHO, TestMessages.echoRequest("fast").toByteArray()));
            out.flush();
            assertThat(readResponse(s.getInputStream())).contains("200 OK").contains("slow");
            assertThat(readResponse(s.getInputStream())).startsWith("HTTP/1.1 413");
            assertThat(readResponse(s.getInputStream())).contains("200 OK").contains("fast");
        }
    }

    static void assertFailure(Answer a, int status, String code, String messagePart) {
        assertThat(a.status()).as("HTTP status of %s", a.body()).isEqualTo(status);
        assertThat(a.header("X-Outrigger-Status")).isEqualTo(code);
        assertThat(a.header("Content-Type")).isEqualTo("application/json");
        assertThat(a.json("status")).isEqualTo(code);
        assertThat(a.json("message")).contains(messagePart);
    }

    static byte[] httpPost(String path, byte[] body) {
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** Reads one response with a Content-Length body; the body as ISO-8859-1 text. */
    static String readResponse(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new AssertionError("connection closed after: " + head);
            }
            head.append((char) c);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }
}
