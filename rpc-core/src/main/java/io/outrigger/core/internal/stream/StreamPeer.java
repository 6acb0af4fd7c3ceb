package io.outrigger.core.internal.stream;

import io.netty.util.concurrent.EventExecutor;
import io.outrigger.core.Attributes;
import io.outrigger.core.Status;

/**
 * The transport's end of one open stream, as the code that feeds and drains it sees it: the client's
 * attempt on a connection, or the server's stream on the connection it arrived on.
 */
public interface StreamPeer {

    /** On a server, the stream a request opened, in the request's attributes. */
    Attributes.Key<StreamPeer> KEY = Attributes.Key.of("stream", StreamPeer.class);

    /** The event loop of the stream's connection: frames arrive there, and {@link #sendWindow} runs there. */
    EventExecutor loop();

    /**
     * Encodes {@code message} on the calling thread and queues it; the caller must hold credit for it.
     * Dropped once the stream is over.
     *
     * @throws io.outrigger.core.RpcException if it cannot be encoded (too large, not serializable)
     */
    void sendMessage(Object message);

    /** Lets the other side send {@code credit} more messages. On the event loop. */
    void sendWindow(int credit);

    /** Client only: sends nothing more (half-close); the server's messages still come. Any thread. */
    void sendEnd();

    /**
     * Ends the stream from this side with a failure: a client cancels it (the provider is told); a
     * server ends it with {@code status}. Any thread.
     */
    void abort(Status status);

    /** On a server: routes the client's frames to {@code handler} from now on. Any thread. */
    void receive(StreamHandler handler);

    /** "demo.Chat/chat, stream 7 with 127.0.0.1:50000", for messages. */
    String describe();
}
