package io.outrigger.core.internal.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps the connections a server holds, in total and per source address. The first handler of every
 * accepted channel: a connection past either cap is answered by {@code refuse} (which writes what
 * the protocol allows, then closes) before anything else in its pipeline sees it.
 *
 * <p>Refusals are logged at WARN, at most once per {@link #LOG_INTERVAL_NANOS} with the number
 * refused since the last line, so a flood of connections cannot flood the log. Thread-safe; one
 * instance per server, shared by its channels.
 */
@ChannelHandler.Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ConnectionLimiter.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String server;
    private final int maxTotal;
    private final int maxPerAddress;
    private final BiConsumer<ChannelHandlerContext, String> refuse;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
    private final AtomicLong refusedSinceLog = new AtomicLong();
    private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());

    /**
     * @param server what is limited, for the log ({@code "RPC server :7070"})
     * @param refuse writes the refusal (its argument is the reason) and closes the channel
     */
    public ConnectionLimiter(
            String server, int maxTotal, int maxPerAddress, BiConsumer<ChannelHandlerContext, String> refuse) {
        this.server = server;
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
        this.refuse = refuse;
    }

    /** Connections now held. */
    public int connections() {
        return total.get();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        InetAddress address = channel.remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        String refused = null;
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            refused = "connection limit reached (" + maxTotal + " connections in total)";
        } else if (address != null && !acquire(address)) {
            total.decrementAndGet();
            refused = "connection limit reached (" + maxPerAddress + " connections from " + address.getHostAddress()
                    + ")";
        }
        if (refused != null) {
            channel.config().setAutoRead(false); // nothing of this connection is read: it only gets the refusal
            logRefusal(address, refused);
            refuse.accept(ctx, refused);
            return;
        }
        ctx.pipeline().remove(this);
        channel.closeFuture().addListener(f -> {
            total.decrementAndGet();
            if (address != null) {
                perAddress.computeIfPresent(address, (k, n) -> n <= 1 ? null : n - 1);
            }
        });
        ctx.fireChannelActive();
    }

    /** Counts one more connection from {@code address}, unless it already has its cap. */
    private boolean acquire(InetAddress address) {
        boolean[] acquired = {false};
        perAddress.compute(address, (k, n) -> {
            int held = n == null ? 0 : n;
            if (held >= maxPerAddress) {
                return n;
            }
            acquired[0] = true;
            return held + 1;
        });
        return acquired[0];
    }

    private void logRefusal(InetAddress from, String reason) {
        long refused = refusedSinceLog.incrementAndGet();
        long now = System.nanoTime();
        long next = nextLogNanos.get();
        if (now - next >= 0 && nextLogNanos.compareAndSet(next, now + LOG_INTERVAL_NANOS)) {
            refusedSinceLog.addAndGet(-refused);
            log.warn(
                    "{}: refused a connection from {}: {}{}",
                    server,
                    from == null ? "?" : from.getHostAddress(),
                    reason,
                    refused > 1 ? " (" + refused + " connections refused since the last such line)" : "");
        }
    }
}
