package io.outrigger.core.server;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.CallAttributes;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.ServerExtension;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class IdleTimeoutTest {

    final List<String> callers = new CopyOnWriteArrayList<>();

    @RegisterExtension
    final ServerExtension server = new ServerExtension(
            b -> b.service(EchoService.class, new EchoServiceImpl())
                    .idleTimeout(Duration.ofMillis(1500))
                    .interceptor((request, next) -> {
                        callers.add(request.attributes().get(CallAttributes.REMOTE_ADDRESS));
                        return next.invoke(request);
                    }),
            c -> c.heartbeatInterval(Duration.ofMillis(250)));

    @Test
    void aConnectionThatStallsMidFrameIsClosedAfterTheIdleTimeout() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 2000);
            // Half a header, then silence: the decoder waits for the rest forever unless the idle timeout acts.
            socket.getOutputStream().write(new byte[] {0x4f, 0x52, 1, 0, 1, 0, 0, 3, 0, 0});
            socket.getOutputStream().flush();
            socket.setSoTimeout(5000);
            long start = System.nanoTime();
            InputStream in = socket.getInputStream();
            int read;
            try {
                read = in.read();
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the server kept a stalled connection open for 5 s (idle timeout 1.5 s)");
            }
            assertThat(read).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aClientSendingHeartbeatsKeepsItsConnection() throws Exception {
        EchoService echo = server.client().refer(EchoService.class);
        assertThat(echo.echo(echoRequest("first")).getText()).isEqualTo("first");
        Thread.sleep(3500); // over 2 idle timeouts, kept alive by heartbeats only
        assertThat(echo.echo(echoRequest("second")).getText()).isEqualTo("second");
        assertThat(callers).hasSize(2);
        assertThat(callers.get(1)).as("same connection (same client port)").isEqualTo(callers.get(0));
    }
}
