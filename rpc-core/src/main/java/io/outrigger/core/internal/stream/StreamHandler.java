package io.outrigger.core.internal.stream;

import io.outrigger.core.Attributes;
import io.outrigger.core.Payload;

/**
 * What the transport calls as a stream's frames arrive. All methods run on the stream's event loop.
 *
 * <p>On a client, the request that opens a stream carries its handler under {@link #KEY}; the
 * transport calls {@link #attached} once the opening frame is written (again on a retry, with the
 * new attempt). On a server, the method's invoker registers one with {@link StreamPeer#receive}.
 */
public interface StreamHandler {

    /** On a client, the handler of the stream a request opens, in the request's attributes. */
    Attributes.Key<StreamHandler> KEY = Attributes.Key.of("stream-handler", StreamHandler.class);

    /** Client: how far the stream got, for failure messages, e.g. " after receiving 3 messages and sending 0". */
    default String progress() {
        return "";
    }

    /** Client: whether the client sends a stream of messages (else the opening frame carries its one message). */
    default boolean sendsMessages() {
        return false;
    }

    /** Client: the opening frame of an attempt was written on {@code peer}'s connection. */
    default void attached(StreamPeer peer) {}

    /** A message from the other side, within the credit this side granted. */
    void onMessage(Payload message);

    /** The other side accepts {@code credit} more messages. */
    void onWindow(int credit);

    /** Server: the client sends no more messages. */
    default void onHalfClose() {}

    /** Server: end the stream from the server's side with {@code status} (a broken peer, a message that cannot be decoded). */
    default void fail(io.outrigger.core.Status status) {}
}
