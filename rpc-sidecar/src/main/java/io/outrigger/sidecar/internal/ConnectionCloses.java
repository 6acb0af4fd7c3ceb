package io.outrigger.sidecar.internal;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log of the connections the HTTP endpoint closes on purpose because of how the peer behaves
 * (headers or a body too slow, a preface never finished): one INFO line per connection, naming the
 * peer and the reason, at most {@value #LINES_PER_SECOND} lines a second. Past that the lines are
 * counted, and the next line logged says how many were not, so a flood of slow connections cannot
 * flood the log. Thread-safe; one per endpoint.
 */
final class ConnectionCloses {

    private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);

    static final int LINES_PER_SECOND = 10;
    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);

    private long windowStart = System.nanoTime();
    private int linesInWindow;
    private long unlogged;

    /** Logs that the connection {@code channel} is closed because {@code reason}. */
    void closing(Channel channel, String reason) {
        long skipped;
        synchronized (this) {
            long now = System.nanoTime();
            if (now - windowStart >= SECOND_NANOS) {
                windowStart = now;
                linesInWindow = 0;
            }
            if (++linesInWindow > LINES_PER_SECOND) {
                unlogged++;
                return;
            }
            skipped = unlogged;
            unlogged = 0;
        }
        log.info(
                "closing HTTP connection from {}: {}{}",
                peer(channel),
                reason,
                skipped == 0 ? "" : " (" + skipped + " more connections closed for such reasons were not logged)");
    }

    /** {@code 127.0.0.1:53122}, for the log. */
    static String peer(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress a
                ? (a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress()) + ":" + a.getPort()
                : String.valueOf(channel.remoteAddress());
    }
}
