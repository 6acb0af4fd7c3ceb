package io.outrigger.core.internal.server;

import io.netty.buffer.ByteBuf;
import io.outrigger.core.internal.Cancellation;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One call a server accepted on a connection, from the moment its frame is read until its answer is
 * written (or dropped, when the caller cancelled it): its {@link Cancellation}, whether it reached
 * its service, and its encoded answer on the way to the socket. One object per call; it travels in
 * the request's attributes under {@link Cancellation#KEY}.
 */
class ServerCall extends Cancellation {

    final int id;
    /** The encoded answer, from {@code respond} until written; {@code null} when there is none to send. */
    ByteBuf frame;
    /** Whether the call got past the server interceptors to its service (written on one thread, read after). */
    volatile boolean reachedService;
    /** Whether the call holds a place of the built-in worker pool, given back when it is answered. */
    boolean holdsWorkerPlace;

    /** @param scheduler times the deadline once service code listens for cancellation; {@code null}: never */
    ServerCall(int id, ScheduledExecutorService scheduler) {
        super(scheduler);
        this.id = id;
    }
}
