package io.outrigger.core.internal.stream;

import io.outrigger.core.Payload;
import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import io.outrigger.serialization.Serializers;
import java.util.ArrayDeque;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messages a stream receives, as a {@link Flow.Publisher} with one subscriber: on a client the
 * server's answers, on a server the client's requests.
 *
 * <p>Flow control: this side grants the sender credit for a window of messages beyond those
 * delivered (prefetch, so that a subscriber asking for one at a time still gets a full pipe), and
 * tops it up as its subscriber takes them. A sender never has credit for more, so at most a window
 * of messages waits here, however slow the subscriber: a slow consumer makes the producer wait;
 * nothing buffers without bound. The window is counted in messages but sized by bytes: about
 * {@value #WINDOW_BYTES} bytes at the largest size seen lately, between {@value #MIN_WINDOW} and
 * {@value #MAX_WINDOW} messages ({@value #WINDOW} before the first message tells a size). Small
 * messages get a deep pipe (a window of 32 capped one stream at 32 messages per round trip); large
 * ones a shallow one.
 *
 * <p>Threads: messages arrive and are delivered on the stream's event loop; {@code request} and
 * {@code cancel} may be called from any thread. A successful end is delivered after the messages
 * before it, once the subscriber asked for them; a failure at once.
 */
public final class InboundMessages<T> implements Flow.Publisher<T> {

    /** The window before any message arrived. */
    public static final int WINDOW = 32;
    /** The deepest window, for the smallest messages. */
    public static final int MAX_WINDOW = 256;
    /** The shallowest window, for the largest messages. */
    public static final int MIN_WINDOW = 4;
    /** The bytes a window aims at. */
    public static final int WINDOW_BYTES = 1024 * 1024;

    private static final Logger log = LoggerFactory.getLogger(InboundMessages.class);

    private final Class<T> type;
    private final Serializers serializers;
    /** Called when the subscriber cancels: {@code null} on a server (the stream goes on the other way). */
    private final Consumer<Status> onCancel;

    private final AtomicBoolean subscribed = new AtomicBoolean();
    /** Messages requested by the subscriber (capped at Long.MAX_VALUE). */
    private final AtomicLong requested = new AtomicLong();

    private volatile StreamPeer peer;
    private volatile Flow.Subscriber<? super T> subscriber;
    private volatile boolean cancelled;

    // Event loop only.
    private final ArrayDeque<T> buffer = new ArrayDeque<>();
    private volatile long delivered; // read by metrics from other threads
    private int granted;
    private Status end;
    private boolean done;
    private boolean draining;
    private boolean again;
    /** The current window (messages), from the sizes seen. */
    private int window = WINDOW;
    /** The largest message size seen lately: jumps up at once, decays by an eighth per message. */
    private int largest;

    /**
     * @param onCancel what the subscriber's cancel does beyond stopping delivery ({@code null}:
     *     nothing more)
     */
    public InboundMessages(Class<T> type, Serializers serializers, Consumer<Status> onCancel) {
        this.type = type;
        this.serializers = serializers;
        this.onCancel = onCancel;
    }

    /** The messages delivered so far (event loop). */
    public long received() {
        return delivered;
    }

    /** Messages arrive from {@code peer} from now on (a retry attaches a new one); runs on its event loop. */
    public void attach(StreamPeer peer) {
        if (!peer.loop().inEventLoop()) {
            peer.loop().execute(() -> attach(peer));
            return;
        }
        this.peer = peer;
        granted = 0;
        drain();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> s) {
        if (!subscribed.compareAndSet(false, true)) {
            s.onSubscribe(new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
            });
            s.onError(new IllegalStateException("the messages of a stream can be subscribed to once"));
            return;
        }
        subscriber = s;
        s.onSubscribe(new Subscription());
        schedule();
    }

    /** A message from the peer. On the event loop. */
    public void onMessage(Payload message) {
        if (cancelled || end != null) {
            return;
        }
        if (granted == 0) {
            fail(Status.INTERNAL.withDescription(describe() + ": the peer sent a message beyond the credit it was"
                    + " given (flow-control violation)"));
            return;
        }
        granted--;
        if (message instanceof Payload.Encoded encoded) {
            size(encoded.bytes().length);
        }
        T value;
        try {
            value = message.decode(type, serializers);
        } catch (RuntimeException e) {
            fail(Status.INTERNAL.withDescription(
                    describe() + ": cannot decode a " + type.getSimpleName() + " message: " + e.getMessage()));
            return;
        }
        buffer.add(value);
        drain();
    }

    /**
     * The stream ended for this side ({@code OK}: the sender sent all it had). On the event loop; later
     * ends are ignored.
     */
    public void onEnd(Status status) {
        if (end != null) {
            return;
        }
        end = status;
        if (!status.isOk()) {
            buffer.clear(); // a failure is delivered at once, not behind the messages still waiting
        }
        drain();
    }

    /** Re-sizes the window from a message's size (event loop). */
    private void size(int bytes) {
        largest = bytes >= largest ? bytes : largest - ((largest - bytes) >> 3);
        window = (int) Math.max(MIN_WINDOW, Math.min(MAX_WINDOW, WINDOW_BYTES / Math.max(1, largest)));
    }

    /** The current window in messages (event loop; for tests). */
    int window() {
        return window;
    }

    private void fail(Status status) {
        StreamPeer p = peer;
        onEnd(status);
        if (p != null) {
            p.abort(status);
        }
    }

    private String describe() {
        StreamPeer p = peer;
        return p == null ? "stream" : p.describe();
    }

    private void schedule() {
        StreamPeer p = peer;
        if (p == null) {
            return; // attach drains
        }
        if (p.loop().inEventLoop()) {
            drain();
        } else {
            p.loop().execute(this::drain);
        }
    }

    /** Delivers what the subscriber asked for, then tops up the sender's credit. On the event loop. */
    private void drain() {
        if (draining) {
            again = true; // a request from inside onNext: the outer loop picks it up
            return;
        }
        draining = true;
        try {
            do {
                again = false;
                deliver();
            } while (again);
        } finally {
            draining = false;
        }
    }

    private void deliver() {
        Flow.Subscriber<? super T> s = subscriber;
        if (s == null || done) {
            return;
        }
        if (cancelled) {
            buffer.clear();
            done = true;
            return;
        }
        while (!buffer.isEmpty() && requested.get() > delivered) {
            T value = buffer.poll();
            delivered++;
            try {
                s.onNext(value);
            } catch (Throwable t) {
                log.warn("{}: the subscriber threw from onNext; cancelling the stream", describe(), t);
                cancelled = true;
                fail(Status.CANCELLED.withDescription(describe() + ": the subscriber threw " + t));
                return;
            }
            if (cancelled) {
                return;
            }
        }
        if (end != null) {
            if (!end.isOk() || buffer.isEmpty()) {
                done = true;
                buffer.clear();
                if (end.isOk()) {
                    s.onComplete();
                } else {
                    s.onError(RpcException.of(end));
                }
            }
            return;
        }
        StreamPeer p = peer;
        int room = window - granted - buffer.size();
        // Topped up once a quarter is free: the sender never waits for a round trip while the
        // consumer keeps up, and one WINDOW frame covers several messages.
        if (p != null && room > 0 && (room >= Math.max(1, window / 4) || granted == 0)) {
            granted += room;
            p.sendWindow(room);
        }
    }

    private final class Subscription implements Flow.Subscription {
        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                Flow.Subscriber<? super T> s = subscriber;
                if (s != null) {
                    s.onError(new IllegalArgumentException("request(" + n + "): the count must be positive (§3.9)"));
                }
                return;
            }
            requested.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            schedule();
        }

        @Override
        public void cancel() {
            if (cancelled) {
                return;
            }
            cancelled = true;
            schedule();
            if (onCancel != null) {
                onCancel.accept(Status.CANCELLED.withDescription("the subscriber cancelled the stream"));
            }
        }
    }
}
