package io.outrigger.core.internal.stream;

import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sends the messages of an application's {@link Flow.Publisher} on a stream, never more than the
 * other side has granted: the credit of each window update becomes a {@code request(n)} to the
 * publisher, so a slow receiver makes the producer wait (a {@code SubmissionPublisher}'s {@code
 * submit} blocks, a reactive source pauses) instead of anything buffering without bound.
 *
 * <p>A publisher that sends more than it was asked for breaks the Reactive Streams rules: the stream
 * fails with {@code INTERNAL} rather than buffering the excess.
 */
public final class OutboundMessages implements Flow.Subscriber<Object> {

    private volatile StreamPeer peer;
    /** Called once, when the publisher completes ({@code OK}) or fails, or a message cannot be sent. */
    private final Consumer<Status> onDone;
    /** Credit received before the publisher subscribed. */
    private final AtomicLong credit = new AtomicLong();
    /** Requested from the publisher and not yet received. */
    private final AtomicLong outstanding = new AtomicLong();

    private volatile Flow.Subscription subscription;
    private volatile boolean over;
    private volatile long sent;

    public OutboundMessages(StreamPeer peer, Consumer<Status> onDone) {
        this.peer = peer;
        this.onDone = onDone;
    }

    /** Messages sent so far. */
    public long sent() {
        return sent;
    }

    /**
     * Sends on {@code peer} from now on: a retry's new attempt, allowed only while nothing was sent
     * (no credit came before the first attempt failed).
     */
    public void retarget(StreamPeer peer) {
        this.peer = peer;
    }

    /** The other side accepts {@code n} more messages. */
    public void credit(int n) {
        Flow.Subscription s = subscription;
        if (s == null) {
            credit.addAndGet(n);
            s = subscription;
            if (s == null) {
                return; // onSubscribe requests it
            }
            long c = credit.getAndSet(0);
            if (c == 0) {
                return;
            }
            outstanding.addAndGet(c);
            s.request(c);
            return;
        }
        outstanding.addAndGet(n);
        s.request(n);
    }

    /** The stream is over (ended by the other side, cancelled, closed): stops the publisher. */
    public void cancel() {
        over = true;
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (subscription != null || over) {
            s.cancel();
            return;
        }
        subscription = s;
        long c = credit.getAndSet(0);
        if (c > 0) {
            outstanding.addAndGet(c);
            s.request(c);
        }
    }

    @Override
    public void onNext(Object message) {
        if (over) {
            return;
        }
        if (message == null) {
            finish(Status.INTERNAL.withDescription(peer.describe() + ": the publisher sent null (§2.13)"));
            return;
        }
        if (outstanding.decrementAndGet() < 0) {
            finish(Status.INTERNAL.withDescription(peer.describe()
                    + ": the publisher sent more messages than were requested (§1.1); the stream is failed"
                    + " rather than buffering them"));
            return;
        }
        try {
            peer.sendMessage(message);
            sent++;
        } catch (RpcException e) {
            finish(e.status());
        }
    }

    @Override
    public void onError(Throwable t) {
        if (!over) {
            over = true;
            onDone.accept(Status.fromThrowable(t));
        }
    }

    @Override
    public void onComplete() {
        if (!over) {
            over = true;
            onDone.accept(Status.OK);
        }
    }

    private void finish(Status status) {
        cancel();
        onDone.accept(status);
    }
}
