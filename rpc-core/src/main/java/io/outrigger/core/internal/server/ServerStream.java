package io.outrigger.core.internal.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.internal.PlatformDependent;
import io.outrigger.core.Payload;
import io.outrigger.core.Status;
import io.outrigger.core.internal.protocol.Frame;
import io.outrigger.core.internal.protocol.FrameEncoder;
import io.outrigger.core.internal.stream.StreamHandler;
import io.outrigger.core.internal.stream.StreamPeer;
import io.outrigger.core.stream.StreamProgress;
import java.util.Queue;

/**
 * A stream a client opened on a server connection: a {@link ServerCall} (cancellation, the answer's
 * way out) that also carries messages both ways. Its frames, the messages and window updates and
 * finally its end, leave in order through the connection's write queue; the client's frames reach
 * the {@link StreamHandler} the method's invoker registered.
 */
final class ServerStream extends ServerCall implements StreamPeer, StreamProgress {

    private final EventLoop loop;
    private final ServerConnection connection;
    private final String what;
    /** Frames waiting for the event loop to write them, in order. */
    final Queue<ByteBuf> frames = PlatformDependent.newMpscQueue();
    /** Set when the end is queued (or the stream was cancelled): nothing more goes out. */
    volatile boolean ended;
    /** Set once the connection forgot the stream (event loop only). */
    boolean removed;

    private volatile long sent;
    private volatile long received;

    // Event loop only.
    private StreamHandler handler;
    /** Credit the client granted that is not yet passed to the producer (see {@link #release}). */
    private long heldCredit;
    /** Credit passed to the producer so far; minus {@link #sent}, what it may still send. */
    private long passed;

    private boolean halfClosed;

    /** The most messages the producer may have asked for and not yet sent, whatever the client granted. */
    static final int MAX_OUTSTANDING = 256;

    ServerStream(int id, EventLoop loop, ServerConnection connection, String what, boolean halfClosed) {
        super(id, loop);
        this.loop = loop;
        this.connection = connection;
        this.what = what;
        this.halfClosed = halfClosed;
    }

    @Override
    public EventLoop loop() {
        return loop;
    }

    @Override
    public void sendMessage(Object message) {
        if (ended || isCancelled()) {
            return;
        }
        ByteBuf frame = connection.encoder().streamMessage(connection.alloc(), id, Payload.of(message), true, false);
        queue(frame);
        sent++; // one producer at a time (Reactive Streams §1.3)
    }

    @Override
    public void sendWindow(int credit) {
        if (!ended && !isCancelled()) {
            queue(FrameEncoder.window(connection.alloc(), id, credit, true));
        }
    }

    @Override
    public void sendEnd() {
        throw new IllegalStateException("a server ends a stream with its status, through its answer");
    }

    @Override
    public void abort(Status status) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> abort(status));
            return;
        }
        StreamHandler h = handler;
        if (h != null) {
            h.fail(status);
        } else {
            connection.respond(this, io.outrigger.core.RpcResponse.failure(status));
        }
    }

    @Override
    public void receive(StreamHandler h) {
        if (!loop.inEventLoop()) {
            loop.execute(() -> receive(h));
            return;
        }
        handler = h;
        release();
        if (halfClosed) {
            h.onHalfClose();
        }
    }

    @Override
    public long messagesSent() {
        return sent;
    }

    @Override
    public long messagesReceived() {
        return received;
    }

    @Override
    public String describe() {
        return what + ", stream " + Integer.toUnsignedString(id) + " from " + connection.remote();
    }

    /** A frame of this stream from the client (not the opening one). On the event loop. */
    void onFrame(Frame frame) {
        StreamHandler h = handler;
        if (frame.isWindow()) {
            heldCredit += frame.window();
            release();
            return;
        }
        if (frame.hasMessage()) {
            if (h == null || halfClosed) {
                // No credit was granted yet (or the client had said it was done): a broken peer.
                abort(Status.INVALID_ARGUMENT.withDescription(describe() + ": a message arrived "
                        + (halfClosed ? "after the client's end" : "before any credit")));
                return;
            }
            received++; // event loop only
            h.onMessage(Payload.encoded(frame.serializerId(), frame.body()));
        }
        if (frame.isEnd() && !halfClosed) {
            halfClosed = true;
            if (h != null) {
                h.onHalfClose();
            }
        }
    }

    /**
     * Passes the client's credit on to the producer, but only while the connection is writable and
     * at most {@value #MAX_OUTSTANDING} messages ahead of what was sent: a client that grants much and
     * stops reading, or a network slower than the producer, makes the producer wait (as gRPC's
     * {@code isReady} does) instead of filling the connection's buffer. Called when credit comes,
     * after writes, and when the connection becomes writable again. On the event loop.
     */
    void release() {
        StreamHandler h = handler;
        if (h == null || heldCredit == 0 || ended || isCancelled() || !connection.isWritable()) {
            return;
        }
        long room = MAX_OUTSTANDING - (passed - sent);
        if (room <= 0) {
            return;
        }
        int n = (int) Math.min(heldCredit, room);
        heldCredit -= n;
        passed += n;
        h.onWindow(n);
    }

    void queue(ByteBuf frame) {
        frames.add(frame);
        connection.enqueue(this);
    }

    /** Writes the frames queued so far (drops them once cancelled). On the event loop. */
    void writeQueued(Channel channel) {
        ByteBuf frame;
        while ((frame = frames.poll()) != null) {
            if (isCancelled()) {
                frame.release();
            } else {
                channel.write(frame, channel.voidPromise());
            }
        }
    }

    /** Frees what is still queued: the connection is gone. */
    void discardQueued() {
        ByteBuf frame;
        while ((frame = frames.poll()) != null) {
            frame.release();
        }
    }
}
