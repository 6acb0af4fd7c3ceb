package io.outrigger.core.internal.transport;

import io.netty.channel.Channel;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Batches writes from any thread into few flushes.
 *
 * <p>Other threads enqueue commands; the first enqueue after a drain schedules one task on the
 * channel's event loop, which handles every queued command and then flushes once. Under load many
 * frames share one {@code writev} syscall instead of one flush each, and callers never wait on the
 * loop.
 *
 * <p>Commands enqueued on the event loop itself (the answers of calls served there, calls issued
 * from completion callbacks) are handled at once, and flushed every {@value #EARLY_FLUSH_DEFAULT}
 * (the rest when the turn's work is done). Flushing only at the end of a turn made the two ends of
 * a connection take turns: one side read a batch of 32 requests, answered all 32, then flushed,
 * while the other side waited, then the other way round, each core half idle. Flushing part of a
 * batch early lets the peer start on it while this side works on the rest.
 */
public final class WriteQueue<T> {

    /** Flush at least every this many frames, so one long batch does not hold bytes back. */
    private static final int MAX_BATCH = 128;

    /**
     * Commands enqueued on the event loop itself (answers of calls run there, calls issued from
     * completion callbacks) are handled at once and flushed every this many, so that the peer starts
     * on the first of a batch while this side still works on the rest, instead of both sides taking
     * turns on whole batches.
     */
    static final int EARLY_FLUSH_DEFAULT = 8;

    /** {@value #EARLY_FLUSH_DEFAULT} unless the {@code outrigger.earlyFlush} system property says otherwise (0: off). */
    static final int EARLY_FLUSH = Integer.getInteger("outrigger.earlyFlush", EARLY_FLUSH_DEFAULT);

    /** Commands handled directly since the last flush (event loop only). */
    private int unflushed;
    /** Set while a command is handled directly: one enqueued by its handler (a failure's callback issuing another call) is queued, so this never recurses. */
    private boolean handling;

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
        if (EARLY_FLUSH > 0 && !handling && channel.eventLoop().inEventLoop() && queue.isEmpty()) {
            handling = true;
            try {
                handler.accept(command);
            } finally {
                handling = false;
            }
            if (++unflushed >= EARLY_FLUSH) {
                unflushed = 0;
                channel.flush();
            } else if (scheduled.compareAndSet(false, true)) {
                channel.eventLoop().execute(drain); // flushes the rest once this turn's work is done
            }
            return;
        }
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
                handling = true;
                try {
                    handler.accept(command);
                } finally {
                    handling = false;
                }
                if (++n == MAX_BATCH) {
                    channel.flush();
                    n = 0;
                }
            }
            channel.flush();
            unflushed = 0;
            scheduled.set(false);
            // A command may have arrived after the last poll but before the flag was cleared.
            if (queue.isEmpty() || !scheduled.compareAndSet(false, true)) {
                return;
            }
        }
    }
}
