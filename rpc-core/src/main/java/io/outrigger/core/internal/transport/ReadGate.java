package io.outrigger.core.internal.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Back-pressure for one server connection: stops reading from the peer while it has too many calls
 * unanswered or while its answers are not being read, and closes it when its queued answers pass a
 * hard cap.
 *
 * <p>Reading stops ({@code autoRead} off) while either holds:
 *
 * <ul>
 *   <li>{@code maxInFlight} calls read from this connection are not yet answered;
 *   <li>the connection is not writable: the answers waiting in its outbound buffer passed the
 *       {@link #WATER_MARK high-water mark}, and have not yet drained below the low one.
 * </ul>
 *
 * Requests the peer keeps sending then wait in the kernel's socket buffers, not in the heap, and
 * TCP's own flow control slows the peer down. Calls already accepted still answer, so the queued
 * bytes can grow past the high-water mark by the answers of the calls in flight; {@link
 * #checkQueued()} closes the connection, with a log line naming the peer, once they pass {@code
 * maxQueuedBytes}. The memory one connection can hold is therefore at most {@code maxQueuedBytes}
 * of answers, plus one read's worth of requests.
 *
 * <p>Reading stops at the socket ({@code autoRead} off) and at the decoder ({@code onPause}): the
 * bytes of one read may hold many requests, and those must not start either. When the gate opens
 * again, {@code onResume} first hands on what the decoder held (which may close the gate again), and
 * only then, if still open and nothing is held, does reading from the socket resume; else every
 * answer sent would let one more read's worth of bytes in.
 *
 * <p>Threads: every method runs on the channel's event loop.
 */
public final class ReadGate {

    private static final Logger log = LoggerFactory.getLogger(ReadGate.class);

    /**
     * The water marks of server connections: writes stop being "writable" past 1 MiB queued and
     * become writable again below 256 KiB.
     */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private final Channel channel;
    private final String peer;
    private final int maxInFlight;
    private final long maxQueuedBytes;
    private final Runnable onPause;
    private final Runnable onResume;
    private final Runnable resume = this::resume;
    private int inFlight;
    private boolean paused;
    private boolean resumeScheduled;
    private boolean closed;

    /**
     * @param peer the connection, for the log ({@code "connection from 10.0.0.7:51234"})
     * @param maxInFlight calls unanswered past which reading stops
     * @param maxQueuedBytes answer bytes queued past which the connection is closed
     */
    public ReadGate(Channel channel, String peer, int maxInFlight, long maxQueuedBytes) {
        this(channel, peer, maxInFlight, maxQueuedBytes, () -> {}, () -> {});
    }

    /**
     * @param onPause stops the decoder handing on messages it has already read
     * @param onResume runs on the event loop, in a task of its own, when the gate opens: hands on
     *     what the decoder held back (until that closes the gate again); the socket is read only
     *     after it, and only if the gate is still open
     */
    public ReadGate(
            Channel channel, String peer, int maxInFlight, long maxQueuedBytes, Runnable onPause, Runnable onResume) {
        this.channel = channel;
        this.peer = peer;
        this.maxInFlight = maxInFlight;
        this.maxQueuedBytes = maxQueuedBytes;
        this.onPause = onPause;
        this.onResume = onResume;
    }

    /** A call was read: counts it, and stops reading if it was the last one allowed. */
    public void accepted() {
        if (++inFlight >= maxInFlight) {
            update();
        }
    }

    /** A call's answer was written (or dropped): counts it, and resumes reading if allowed. */
    public void answered() {
        if (inFlight-- >= maxInFlight) {
            update();
        }
    }

    /** Calls read and not yet answered. */
    public int inFlight() {
        return inFlight;
    }

    /** To be called from {@code channelWritabilityChanged}. */
    public void writabilityChanged() {
        update();
    }

    private boolean isOpen() {
        return !closed && inFlight < maxInFlight && channel.isWritable();
    }

    private void update() {
        if (!isOpen()) {
            if (!paused) {
                paused = true;
                channel.config().setAutoRead(false);
                onPause.run();
            }
        } else if (paused && !resumeScheduled) {
            // Not inline: this may run inside a decoder's channelRead (a flush that drained).
            resumeScheduled = true;
            channel.eventLoop().execute(resume);
        }
    }

    private void resume() {
        resumeScheduled = false;
        if (!paused || !isOpen()) {
            return;
        }
        paused = false;
        onResume.run();
        if (!isOpen()) {
            update(); // the held requests filled the gate again
        } else {
            channel.config().setAutoRead(true); // issues a read at once (Netty's DefaultChannelConfig)
        }
    }

    /**
     * After writing answers: closes the connection if the bytes queued for it passed the cap.
     *
     * @return whether the connection stays open
     */
    public boolean checkQueued() {
        if (closed) {
            return false;
        }
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        long queued = buffer == null ? 0 : buffer.totalPendingWriteBytes();
        if (queued <= maxQueuedBytes) {
            return true;
        }
        closed = true;
        log.warn(
                "closing {}: {} bytes of answers queued, over the cap of {} bytes per connection;"
                        + " the peer is not reading its answers",
                peer,
                queued,
                maxQueuedBytes);
        channel.close();
        return false;
    }
}
