package io.outrigger.core.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One call sent on a connection: its future (this object), the encoded frame until it is written,
 * and its deadline timer. One allocation carries all three.
 */
final class PendingCall extends CompletableFuture<RpcResponse> implements Runnable {

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
