package io.outrigger.sidecar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.Status;
import io.outrigger.core.internal.transport.SharedEventLoops;
import io.outrigger.core.testing.LogCapture;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The hard cap on the answers queued for one HTTP/1.1 connection: a peer that pipelines requests
 * for large answers and reads none is closed once they pass {@link HttpEndpoint.Limits#maxQueuedBytes},
 * with a log line naming it, the bytes queued and the cap; the endpoint goes on serving others.
 *
 * <p>Answers that come at once are bounded by reading less (the gate holds the requests already
 * read); the cap is for answers that were all under way when the peer stopped reading, so the routes
 * here answer only once every request is in.
 */
class HttpEndpointQueueCapTest {

    static final byte[] BIG = new byte[512 * 1024];

    /**
     * Answers each request for {@code /big} with 512 KiB once {@code batch} of them are waiting (then
     * all at once), and any other at once with a few bytes.
     */
    static HttpRoutes bigAnswersInBatchesOf(int batch) {
        List<CompletableFuture<HttpReply>> waiting = new java.util.ArrayList<>();
        return (method, path, contentType, headers, body) -> {
            if (!path.equals("/big")) {
                return CompletableFuture.completedFuture(
                        new HttpReply(200, Status.Code.OK, "text/plain", List.of(), new byte[] {'o', 'k'}));
            }
            CompletableFuture<HttpReply> answer = new CompletableFuture<>();
            waiting.add(answer); // on the connection's event loop, one at a time
            if (waiting.size() >= batch) {
                List<CompletableFuture<HttpReply>> all = List.copyOf(waiting);
                waiting.clear();
                all.forEach(f ->
                        f.complete(new HttpReply(200, Status.Code.OK, "application/octet-stream", List.of(), BIG)));
            }
            return answer;
        };
    }

    @Test
    void aPeerThatDoesNotReadLargeAnswersIsClosedPastTheCap() throws Exception {
        long cap = 2 * 1024 * 1024;
        HttpEndpoint.Limits limits =
                new HttpEndpoint.Limits(64 * 1024, Duration.ofSeconds(10), 0, Duration.ofSeconds(5), 100, 100, cap);
        try (LogCapture logs = LogCapture.start();
                SharedEventLoops loops = SharedEventLoops.create(1, "queue-cap-test");
                HttpEndpoint endpoint = HttpEndpoint.start(
                        "127.0.0.1", 0, loops, limits, bigAnswersInBatchesOf(HttpEndpoint.MAX_PENDING));
                Socket attacker = new Socket("127.0.0.1", endpoint.port())) {
            attacker.setReceiveBufferSize(64 * 1024);
            attacker.setSoTimeout(5000);
            byte[] get = "GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            // 64 requests, 32 MiB of answers; none read until the sidecar has closed the connection.
            for (int i = 0; i < HttpEndpoint.MAX_PENDING; i++) {
                attacker.getOutputStream().write(get);
            }
            attacker.getOutputStream().flush();
            String line = awaitLine(logs, "over the cap of " + cap + " bytes");

            assertThat(line).contains(" WARN ", "closing HTTP connection from 127.0.0.1:", "bytes of answers queued");
            assertThat(readsToTheEnd(attacker.getInputStream()))
                    .as("the connection ends with far less than the 32 MiB asked for")
                    .isLessThan(16L * 1024 * 1024);
            try (Socket other = new Socket("127.0.0.1", endpoint.port())) {
                other.setSoTimeout(5000);
                other.getOutputStream()
                        .write("GET /small HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] status = other.getInputStream().readNBytes(12);
                assertThat(new String(status, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            }
        }
    }

    static String awaitLine(LogCapture logs, String text) {
        return org.awaitility.Awaitility.await("a log line with \"" + text + "\"")
                .atMost(Duration.ofSeconds(5))
                .until(
                        () -> logs.lines().stream()
                                .filter(l -> l.contains(text))
                                .findFirst(),
                        java.util.Optional::isPresent)
                .get();
    }

    static long readsToTheEnd(InputStream in) throws IOException {
        long n = 0;
        byte[] buf = new byte[64 * 1024];
        try {
            for (int r; (r = in.read(buf)) > 0; ) {
                n += r;
            }
        } catch (java.net.SocketException reset) {
            // closed with answers unread on our side of the connection
        }
        return n;
    }
}
