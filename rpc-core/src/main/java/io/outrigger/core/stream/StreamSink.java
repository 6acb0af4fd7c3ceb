package io.outrigger.core.stream;

/**
 * Where a blocking producer sends the messages of a stream ({@link Streams#publisher}). {@link
 * #send} blocks while the receiver has no room: the producer runs at the consumer's pace, and
 * nothing buffers without bound.
 */
public interface StreamSink<T> {

    /**
     * Sends {@code message}, waiting until the receiver has asked for it.
     *
     * @throws java.util.concurrent.CancellationException once the stream is cancelled (the consumer
     *     cancelled, the call's deadline passed, the connection closed): stop producing
     * @throws InterruptedException if the producing thread is interrupted while it waits
     */
    void send(T message) throws InterruptedException;

    /** Whether the stream was cancelled: a producer that does not send for a while may check it. */
    boolean isCancelled();
}
