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
 */
class HttpEndpointQueueCapTest {

    static final byte[] BIG = new byte[512 * 1024];

    /** Answers every request at once with 512 KiB. */
    static final HttpRoutes BIG_ANSWERS =
            (method, path, contentType, headers, body) -> CompletableFuture.completedFuture(
                    new HttpReply(200, Status.Code.OK, "application/octet-stream", List.of(), BIG));

    @Test
    void aPeerThatDoesNotReadLargeAnswersIsClosedPastTheCap() throws Exception {
        long cap = 2 * 1024 * 1024;
        HttpEndpoint.Limits limits =
                new HttpEndpoint.Limits(64 * 1024, Duration.ofSeconds(10), 0, Duration.ofSeconds(5), 100, 100, cap);
        try (LogCapture logs = LogCapture.start();
                SharedEventLoops loops = SharedEventLoops.create(1, "queue-cap-test");
                HttpEndpoint endpoint = HttpEndpoint.start("127.0.0.1", 0, loops, limits, BIG_ANSWERS);
                Socket attacker = new Socket("127.0.0.1", endpoint.port())) {
            attacker.setReceiveBufferSize(64 * 1024);
            attacker.setSoTimeout(5000);
            byte[] get = "GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            // 64 requests, 32 MiB of answers; none read until the sidecar has closed the connection.
            for (int i = 0; i < 64; i++) {
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
                other.getOutputStream().write(get);
                byte[] status = other.getInputStream().readNBytes(12);
                assertThat(new String(status, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            }
        }
    }

    static String awaitLine(LogCapture logs, String text) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            for (String l : logs.lines()) {
                if (l.contains(text)) {
                    return l;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no log line with \"" + text + "\" in " + logs.lines());
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
