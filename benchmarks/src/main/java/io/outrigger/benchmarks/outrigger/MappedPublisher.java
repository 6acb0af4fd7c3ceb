package io.outrigger.benchmarks.outrigger;

import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.function.Function;

/**
 * A publisher of {@code source}'s messages, each passed through a function: one message out for each
 * one in, so the subscriber's subscription is the source's own ({@code request} and {@code cancel}
 * reach the source unchanged). What Reactor's {@code map} does, without a reactive library.
 */
final class MappedPublisher<T, R> implements Flow.Publisher<R> {

    private final Flow.Publisher<T> source;
    private final Function<? super T, ? extends R> function;

    MappedPublisher(Flow.Publisher<T> source, Function<? super T, ? extends R> function) {
        this.source = Objects.requireNonNull(source, "source");
        this.function = Objects.requireNonNull(function, "function");
    }

    @Override
    public void subscribe(Flow.Subscriber<? super R> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        source.subscribe(new Flow.Subscriber<T>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscriber.onSubscribe(subscription);
            }

            @Override
            public void onNext(T item) {
                subscriber.onNext(function.apply(item));
            }

            @Override
            public void onError(Throwable throwable) {
                subscriber.onError(throwable);
            }

            @Override
            public void onComplete() {
                subscriber.onComplete();
            }
        });
    }
}
