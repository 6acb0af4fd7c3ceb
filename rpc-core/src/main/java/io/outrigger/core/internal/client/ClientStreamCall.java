package io.outrigger.core.internal.client;

import io.outrigger.core.Payload;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.internal.Cancellation;
import io.outrigger.core.internal.stream.InboundMessages;
import io.outrigger.core.internal.stream.OutboundMessages;
import io.outrigger.core.internal.stream.StreamHandler;
import io.outrigger.core.internal.stream.StreamPeer;
import io.outrigger.core.stream.StreamProgress;
import io.outrigger.serialization.Serializers;
import java.util.concurrent.Flow;

/**
 * The client's side of one stream across its attempts: the server's messages for the caller's
 * subscriber, the caller's publisher drained onto the stream as the server grants credit, and the
 * end. The stream as a whole is one call of the client chain (one endpoint picked, one outcome for
 * breakers and metrics); its messages travel beside the chain, through this handler.
 */
final class ClientStreamCall implements StreamHandler, StreamProgress {

    private final Cancellation cancellation;
    /** The server's messages, for methods that stream back; else {@code null}. */
    final InboundMessages<Object> inbound;
    /** The caller's messages, for methods it streams; else {@code null}. */
    private final Flow.Publisher<?> source;

    private volatile OutboundMessages outbound;

    @SuppressWarnings("unchecked")
    ClientStreamCall(
            Cancellation cancellation,
            Class<?> responseType,
            boolean serverStreams,
            Flow.Publisher<?> source,
            Serializers serializers) {
        this.cancellation = cancellation;
        this.source = source;
        this.inbound = serverStreams
                ? new InboundMessages<>((Class<Object>) responseType, serializers, cancellation::cancel)
                : null;
    }

    @Override
    public long messagesSent() {
        OutboundMessages out = outbound;
        return out == null ? 0 : out.sent();
    }

    @Override
    public long messagesReceived() {
        return inbound == null ? 0 : inbound.received();
    }

    @Override
    public String progress() {
        OutboundMessages out = outbound;
        return " after receiving " + (inbound == null ? 0 : inbound.received()) + " messages and sending "
                + (out == null ? 0 : out.sent());
    }

    @Override
    public boolean sendsMessages() {
        return source != null;
    }

    @Override
    public void attached(StreamPeer peer) {
        current = peer;
        if (inbound != null) {
            inbound.attach(peer);
        }
        if (source != null) {
            OutboundMessages out = outbound;
            if (out == null) {
                out = new OutboundMessages(peer, status -> {
                    StreamPeer p = current;
                    if (status.isOk()) {
                        p.sendEnd();
                    } else {
                        p.abort(status.withDescription("the caller's publisher failed: " + status.description()));
                    }
                });
                outbound = out;
                source.subscribe(out);
            } else {
                out.retarget(peer); // a retry: nothing was sent, since no credit came
            }
        }
    }

    private volatile StreamPeer current;
    /** Told once when the attempt now on the wire gets its first answer (a message or credit). */
    private volatile Runnable firstAnswer;

    /** {@code action} runs on the first answer (a message, or credit to send) of the next attempt. */
    void onFirstAnswer(Runnable action) {
        firstAnswer = action;
    }

    private void answered() {
        Runnable r = firstAnswer;
        if (r != null) {
            firstAnswer = null;
            r.run();
        }
    }

    @Override
    public void onMessage(Payload message) {
        answered();
        if (inbound == null) {
            cancellation.cancel(Status.INTERNAL.withDescription(
                    "the server sent a stream message to a client-streaming call (it answers once, at the end)"));
            return;
        }
        inbound.onMessage(message);
    }

    @Override
    public void onWindow(int credit) {
        answered();
        OutboundMessages out = outbound;
        if (out != null) {
            out.credit(credit);
        }
    }

    /** The stream is over, with the chain's outcome: tells the subscriber and stops the caller's publisher. */
    void ended(RpcResponse response, Throwable error) {
        Status status = error != null ? Status.fromThrowable(error) : response.status();
        OutboundMessages out = outbound;
        if (out != null) {
            out.cancel();
        }
        if (inbound != null) {
            StreamPeer p = current;
            Runnable end = () -> inbound.onEnd(status);
            // Delivered on the stream's event loop, after the messages that came before the end.
            if (p == null || p.loop().inEventLoop()) {
                end.run();
            } else {
                p.loop().execute(end);
            }
        }
    }
}
