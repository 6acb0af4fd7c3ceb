package io.outrigger.core.stream;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Blocking conveniences for streaming methods, for code that would rather loop than write a {@link
 * Flow.Publisher}:
 *
 * <pre>{@code
 * public Flow.Publisher<Price> prices(PriceRequest request) {
 *     return Streams.publisher(executor, sink -> {
 *         for (Price p : feed.since(request.getFrom())) {
 *             sink.send(p); // waits while the caller has no room
 *         }
 *     });
 * }
 * }</pre>
 */
public final class Streams {

    private Streams() {}

    /** Produces one stream's messages on a thread. */
    @FunctionalInterface
    public interface Producer<T> {
        /**
         * Sends the messages; returning ends the stream successfully, throwing ends it with the
         * exception (an {@code RpcException} keeps its status).
         */
        void produce(StreamSink<T> sink) throws Exception;
    }

    /**
     * A cold publisher: each subscriber gets its own run of {@code producer} on {@code executor},
     * whose {@link StreamSink#send} blocks until that subscriber asks for more. Cancelling the
     * subscription makes the next (or the waiting) {@code send} throw {@link CancellationException}.
     * If {@code executor} refuses the task, the subscriber gets the {@link RejectedExecutionException}.
     */
    public static <T> Flow.Publisher<T> publisher(Executor executor, Producer<T> producer) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(producer, "producer");
        return subscriber -> {
            BlockingSink<T> sink = new BlockingSink<>(subscriber);
            subscriber.onSubscribe(sink);
            try {
                executor.execute(() -> sink.run(producer));
            } catch (RejectedExecutionException e) {
                sink.fail(e);
            }
        };
    }

    /** One subscriber's demand, and the producer that waits for it. */
    private static final class BlockingSink<T> implements StreamSink<T>, Flow.Subscription {

        private final Flow.Subscriber<? super T> subscriber;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition room = lock.newCondition();
        private long demand;
        private volatile boolean cancelled;
        private boolean finished;

        BlockingSink(Flow.Subscriber<? super T> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                fail(new IllegalArgumentException("request(" + n + "): the count must be positive (§3.9)"));
                return;
            }
            lock.lock();
            try {
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                room.signal();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void cancel() {
            lock.lock();
            try {
                cancelled = true;
                room.signal();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public void send(T message) throws InterruptedException {
            Objects.requireNonNull(message, "message");
            lock.lock();
            try {
                while (demand == 0 && !cancelled) {
                    room.await();
                }
                if (cancelled) {
                    throw new CancellationException("the stream was cancelled");
                }
                demand--;
            } finally {
                lock.unlock();
            }
            subscriber.onNext(message);
        }

        void run(Producer<T> producer) {
            try {
                producer.produce(this);
                if (!cancelled) {
                    finish(null);
                }
            } catch (CancellationException e) {
                // the subscriber is gone: nothing to tell it
            } catch (Throwable t) {
                if (t instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                fail(t);
            }
        }

        void fail(Throwable t) {
            if (!cancelled) {
                finish(t);
            }
        }

        private void finish(Throwable error) {
            synchronized (this) {
                if (finished) {
                    return;
                }
                finished = true;
            }
            if (error == null) {
                subscriber.onComplete();
            } else {
                subscriber.onError(error);
            }
        }
    }
}
