package io.outrigger.benchmarks.outrigger;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * A publisher for one subscriber of the messages handed to {@link #send}, in order, as its
 * subscriber asks for them; those sent before it subscribed or asked wait here. {@link
 * #complete()} ends the stream after them. Signals go out on the thread that sent or requested,
 * one at a time. Thread-safe.
 *
 * <p>Unlike the JDK's {@link java.util.concurrent.SubmissionPublisher}, which drops what is
 * submitted while it has no subscriber yet (and Outrigger subscribes to a bidirectional call's
 * publisher only once the server granted credit), nothing sent here is lost.
 */
final class QueuedPublisher<T> implements Flow.Publisher<T> {

    private final ArrayDeque<T> queue = new ArrayDeque<>();
    private Flow.Subscriber<? super T> subscriber;
    private long demand;
    private boolean completed;
    private boolean terminated;
    private boolean cancelled;
    private boolean delivering;

    @Override
    public void subscribe(Flow.Subscriber<? super T> s) {
        Objects.requireNonNull(s, "subscriber");
        synchronized (this) {
            if (subscriber != null) {
                throw new IllegalStateException("one subscriber only");
            }
            subscriber = s;
        }
        s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                synchronized (QueuedPublisher.this) {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                }
                drain();
            }

            @Override
            public void cancel() {
                synchronized (QueuedPublisher.this) {
                    cancelled = true;
                    queue.clear();
                }
            }
        });
        drain();
    }

    /** Sends {@code message} once the subscriber asks for it. */
    void send(T message) {
        Objects.requireNonNull(message, "message");
        synchronized (this) {
            if (completed || cancelled) {
                return;
            }
            queue.add(message);
        }
        drain();
    }

    /** Ends the stream after the messages sent so far. */
    void complete() {
        synchronized (this) {
            completed = true;
        }
        drain();
    }

    private void drain() {
        while (true) {
            Flow.Subscriber<? super T> s;
            T message = null;
            synchronized (this) {
                if (delivering || subscriber == null || cancelled || terminated) {
                    return;
                }
                s = subscriber;
                if (demand > 0 && !queue.isEmpty()) {
                    message = queue.poll();
                    demand--;
                } else if (completed && queue.isEmpty()) {
                    terminated = true;
                } else {
                    return;
                }
                delivering = true;
            }
            try {
                if (message != null) {
                    s.onNext(message);
                } else {
                    s.onComplete();
                }
            } finally {
                synchronized (this) {
                    delivering = false;
                }
            }
        }
    }
}
