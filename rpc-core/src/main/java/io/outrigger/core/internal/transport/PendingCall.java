package io.outrigger.core.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One call sent on a connection: its future (this object), the encoded frame until it is written,
 * its deadline timer, and the listener of its cancellation. One allocation carries all four.
 */
class PendingCall extends CompletableFuture<RpcResponse> implements Runnable, Consumer<Status> {

    final int id;
    final RpcRequest request;
    /** The encoded frame; handed to Netty (and set to null) when written. */
    ByteBuf frame;

    final AtomicInteger inFlight;
    long timeoutNanos;
    ScheduledFuture<?> timer;
    private final ClientConnection connection;
    private boolean finished;

    PendingCall(ClientConnection connection, int id, RpcRequest request, ByteBuf frame, AtomicInteger inFlight) {
        this.connection = connection;
        this.id = id;
        this.request = request;
        this.frame = frame;
        this.inFlight = inFlight;
    }

    /** The deadline timer fired. Runs on the event loop. */
    @Override
    public void run() {
        connection.timedOut(this);
    }

    /** The caller cancelled the call. Any thread. */
    @Override
    public void accept(Status reason) {
        connection.cancelled(this, reason);
    }

    /** Completes the call once; later completions are ignored. Runs on one thread at a time. */
    void finish(RpcResponse response) {
        if (finished) {
            return;
        }
        finished = true;
        if (inFlight != null) {
            // Before completing: callbacks that pick the next endpoint see the count already lowered.
            inFlight.decrementAndGet();
        }
        complete(response);
    }
}
