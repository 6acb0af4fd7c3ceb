package io.outrigger.core.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.PlatformDependent;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.Status;
import io.outrigger.core.internal.protocol.FrameEncoder;
import io.outrigger.core.internal.stream.StreamHandler;
import io.outrigger.core.internal.stream.StreamPeer;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One attempt of a stream on a client connection: a {@link PendingCall} (its future completes when
 * the stream ends, with the server's status) that also carries messages both ways. Its frames leave
 * in order through the connection's write queue, after the frame that opened it.
 */
final class ClientStream extends PendingCall implements StreamPeer {

    final StreamHandler handler;
    private final ClientConnection connection;
    private final FrameEncoder encoder;
    /** Frames queued after the opening one, in order. */
    final Queue<ByteBuf> frames = PlatformDependent.newMpscQueue();
    /** Set on the event loop once the opening frame is written. */
    boolean opened;

    ClientStream(
            ClientConnection connection,
            FrameEncoder encoder,
            int id,
            RpcRequest request,
            ByteBuf frame,
            AtomicInteger inFlight,
            StreamHandler handler) {
        super(connection, id, request, frame, inFlight);
        this.connection = connection;
        this.encoder = encoder;
        this.handler = handler;
    }

    @Override
    public EventExecutor loop() {
        return connection.channel().eventLoop();
    }

    @Override
    public void sendMessage(Object message) {
        if (isDone()) {
            return;
        }
        queue(encoder.streamMessage(connection.channel().alloc(), id, Payload.of(message), false, false));
    }

    @Override
    public void sendWindow(int credit) {
        if (!isDone()) {
            queue(FrameEncoder.window(connection.channel().alloc(), id, credit, false));
        }
    }

    @Override
    public void sendEnd() {
        if (!isDone()) {
            queue(encoder.streamMessage(connection.channel().alloc(), id, Payload.EMPTY, false, true));
        }
    }

    @Override
    public void abort(Status status) {
        connection.cancelled(this, status);
    }

    @Override
    public void receive(StreamHandler handler) {
        throw new IllegalStateException("a client stream's handler comes with its request");
    }

    @Override
    public String describe() {
        return request.fullMethodName() + ", stream " + Integer.toUnsignedString(id) + " to " + connection.remote();
    }

    private void queue(ByteBuf frame) {
        frames.add(frame);
        connection.enqueue(this);
    }

    /** Writes the frames queued so far, or drops them once the stream is over. On the event loop. */
    void writeQueued(Channel channel) {
        ByteBuf frame;
        while ((frame = frames.poll()) != null) {
            if (isDone() || !channel.isActive()) {
                frame.release();
            } else {
                channel.write(frame, channel.voidPromise());
            }
        }
    }

    /** Frees what is still queued. */
    void discardQueued() {
        ByteBuf frame;
        while ((frame = frames.poll()) != null) {
            frame.release();
        }
    }
}
