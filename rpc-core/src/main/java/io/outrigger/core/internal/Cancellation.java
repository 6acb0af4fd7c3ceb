package io.outrigger.core.internal;

import io.outrigger.core.Attributes;
import io.outrigger.core.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;

/**
 * The one-shot "stop" signal of one call, on either side: the client's proxy makes one per call
 * (cancelled when the caller cancels its future, is interrupted, or the call it serves is
 * cancelled); the server makes one per received call (cancelled by a CANCEL frame or the caller's
 * connection closing). The first {@link #cancel} wins; later ones do nothing.
 *
 * <p>Cheap while nobody listens: no lock on the paths every call takes ({@link #cancel}, {@link
 * #end}, {@link #bindAttempt}); the future behind {@link #whenCancelled} and the deadline timer are
 * made on first use. Thread-safe. Not final only so that the server's per-call record can be one
 * object with it.
 */
public class Cancellation {

    /** Where a call's cancellation travels in its request's attributes (local only). */
    public static final Attributes.Key<Cancellation> KEY = Attributes.Key.of("cancellation", Cancellation.class);

    private static final AtomicReferenceFieldUpdater<Cancellation, Status> STATUS =
            AtomicReferenceFieldUpdater.newUpdater(Cancellation.class, Status.class, "status");

    private final ScheduledExecutorService scheduler;
    private volatile Status status;
    /** Made on first listener (under the lock); completed by whoever sees both it and the status. */
    private volatile CompletableFuture<Status> future;
    /** The deadline timer, armed on first listener when a deadline is known. */
    private volatile ScheduledFuture<?> timer;

    private volatile boolean ended;
    /** The client's attempt in flight, told first when cancelled (one volatile write per attempt, no listener list). */
    private volatile Consumer<Status> attempt;

    /** A cancellation that only {@link #cancel} ends. */
    public Cancellation() {
        this(null);
    }

    /**
     * A cancellation that can also end at a deadline ({@link #armDeadline}), timed on {@code
     * scheduler} (the server's event loop): the timer is armed only once someone listens.
     */
    public Cancellation(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /**
     * Cancels with {@code reason} when {@code remainingNanos} have passed, unless the call {@link
     * #end ended} first. Does nothing without a scheduler or once cancelled or ended.
     */
    public void armDeadline(long remainingNanos, Status reason) {
        if (scheduler == null || remainingNanos == Long.MAX_VALUE || timer != null || ended || status != null) {
            return;
        }
        if (remainingNanos <= 0) {
            cancel(reason);
            return;
        }
        synchronized (this) {
            if (timer != null) {
                return;
            }
            timer = scheduler.schedule(() -> cancel(reason), remainingNanos, TimeUnit.NANOSECONDS);
        }
        if (ended || status != null) {
            timer.cancel(false); // ended or cancelled meanwhile
        }
    }

    /** The call is over: no timer fires later (listeners stay; a later cancel still reaches them). */
    public void end() {
        ended = true;
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }

    /**
     * Cancels, with {@code status} as the reason ({@code CANCELLED} or {@code DEADLINE_EXCEEDED}).
     *
     * @return whether this call cancelled it (false: it was cancelled before)
     */
    public boolean cancel(Status status) {
        if (!STATUS.compareAndSet(this, null, status)) {
            return false;
        }
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        Consumer<Status> a = attempt;
        if (a != null) {
            a.accept(status);
        }
        CompletableFuture<Status> f = future;
        if (f != null) {
            f.complete(status);
        }
        return true;
    }

    /**
     * Client side: {@code attempt} is the call's attempt now on the wire, replacing an earlier one
     * (retries are sequential); it is told when the call is cancelled, at once if it already is.
     */
    public void bindAttempt(Consumer<Status> attempt) {
        this.attempt = attempt;
        Status s = status;
        if (s != null) {
            attempt.accept(s); // may also be told by cancel(): attempts ignore a second notice
        }
    }

    public boolean isCancelled() {
        return status != null;
    }

    /** The reason it was cancelled, or {@code null}. */
    public Status status() {
        return status;
    }

    /** Completes with the reason when cancelled; never completes otherwise. */
    public CompletionStage<Status> whenCancelled() {
        CompletableFuture<Status> f = future;
        if (f == null) {
            synchronized (this) {
                f = future;
                if (f == null) {
                    f = new CompletableFuture<>();
                    future = f;
                }
            }
        }
        Status s = status; // read after publishing the future: a cancel that missed it is seen here
        if (s != null) {
            f.complete(s);
        }
        return f;
    }

    /** Runs {@code action} with the reason once cancelled (at once, on this thread, if it already is). */
    public void onCancel(Consumer<Status> action) {
        Status s = status;
        if (s != null) {
            action.accept(s);
            return;
        }
        whenCancelled().thenAccept(action);
    }
}
