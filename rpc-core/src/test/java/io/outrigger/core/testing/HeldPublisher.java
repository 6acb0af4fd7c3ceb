package io.outrigger.core.testing;

import io.outrigger.serialization.testing.proto.EchoReply;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends one reply when first asked, then holds its stream open, without a thread, until {@link
 * #completeAll} (or the subscriber cancels). Every instance is tracked, so tests can count and end
 * them.
 */
public final class HeldPublisher implements Flow.Publisher<EchoReply> {

    private static final Queue<HeldPublisher> open = new ConcurrentLinkedQueue<>();
    /** Streams whose subscriber cancelled. */
    public static final AtomicInteger cancelled = new AtomicInteger();

    private final String text;
    private volatile Flow.Subscriber<? super EchoReply> subscriber;
    private final AtomicBoolean sent = new AtomicBoolean();
    private final AtomicBoolean over = new AtomicBoolean();

    public HeldPublisher(String text) {
        this.text = text;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super EchoReply> s) {
        subscriber = s;
        open.add(this);
        s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                if (sent.compareAndSet(false, true) && !over.get()) {
                    s.onNext(EchoReply.newBuilder().setText(text + "-0").build());
                }
            }

            @Override
            public void cancel() {
                if (over.compareAndSet(false, true)) {
                    cancelled.incrementAndGet();
                    open.remove(HeldPublisher.this);
                }
            }
        });
    }

    /** Streams held open now. */
    public static int openCount() {
        return open.size();
    }

    /** Completes every held stream. */
    public static void completeAll() {
        complete(Integer.MAX_VALUE);
    }

    /** Completes {@code n} held streams (or all, if fewer are held). */
    public static void complete(int n) {
        HeldPublisher p;
        for (int i = 0; i < n && (p = open.poll()) != null; i++) {
            if (p.over.compareAndSet(false, true)) {
                p.subscriber.onComplete();
            }
        }
    }
}
