package io.outrigger.core.testing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;

/** Records what a publisher sends; asks for {@code initial} messages on subscribe, more with {@link #request}. */
public final class TestSubscriber<T> implements Flow.Subscriber<T> {

    public final List<T> items = new CopyOnWriteArrayList<>();
    /** Completes with {@code null} on completion, or the error. */
    public final CompletableFuture<Throwable> done = new CompletableFuture<>();

    private final long initial;
    private volatile Flow.Subscription subscription;
    public volatile int cancelAfter = -1;

    public TestSubscriber(long initial) {
        this.initial = initial;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (initial > 0) {
            s.request(initial);
        }
    }

    @Override
    public void onNext(T item) {
        items.add(item);
        if (items.size() == cancelAfter) {
            subscription.cancel();
        }
    }

    @Override
    public void onError(Throwable t) {
        done.complete(t);
    }

    @Override
    public void onComplete() {
        done.complete(null);
    }

    public void request(long n) {
        subscription.request(n);
    }

    public void cancel() {
        subscription.cancel();
    }
}
