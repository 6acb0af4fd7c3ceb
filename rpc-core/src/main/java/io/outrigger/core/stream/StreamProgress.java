package io.outrigger.core.stream;

/**
 * How many messages one stream has carried so far, each way, as seen from this side. A call that
 * carries a stream has one in its attributes under {@link io.outrigger.core.CallAttributes#STREAM_PROGRESS},
 * so interceptors (tracing, metrics, access logs) can record a stream's messages at its end.
 * Thread-safe; the counts only grow.
 */
public interface StreamProgress {

    /** Messages this side sent on the stream. */
    long messagesSent();

    /** Messages this side received on the stream (on a client: delivered to the subscriber). */
    long messagesReceived();
}
