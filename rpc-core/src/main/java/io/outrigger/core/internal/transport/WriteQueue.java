package io.outrigger.core.internal.transport;

import io.netty.channel.Channel;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Batches writes from any thread into one flush per event-loop turn.
 *
 * <p>Threads enqueue commands; the first enqueue after a drain schedules one task on the channel's
 * event loop, which handles every queued command and then flushes once. Under load many frames
 * share one {@code writev} syscall instead of one flush each, and callers never wait on the loop.
 */
public final class WriteQueue<T> {

    /** Flush at least every this many frames, so one long batch does not hold bytes back. */
    private static final int MAX_BATCH = 128;

    private final Channel channel;
    private final Consumer<T> handler;
    private final Consumer<T> discard;
    private final Queue<T> queue = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable drain = this::drain;

    /**
     * {@code handler} runs on the event loop for each command and writes (without flushing); {@code
     * discard} runs instead, on the calling thread, when the event loop no longer accepts tasks.
     */
    public WriteQueue(Channel channel, Consumer<T> handler, Consumer<T> discard) {
        this.channel = channel;
        this.handler = handler;
        this.discard = discard;
    }

    public void enqueue(T command) {
        queue.add(command);
        if (scheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                T c;
                while ((c = queue.poll()) != null) {
                    discard.accept(c);
                }
            }
        }
    }

    private void drain() {
        for (; ; ) {
            T command;
            int n = 0;
            while ((command = queue.poll()) != null) {
                handler.accept(command);
                if (++n == MAX_BATCH) {
                    channel.flush();
                    n = 0;
                }
            }
            channel.flush();
            scheduled.set(false);
            // A command may have arrived after the last poll but before the flag was cleared.
            if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
                return;
            }
        }
    }
}
