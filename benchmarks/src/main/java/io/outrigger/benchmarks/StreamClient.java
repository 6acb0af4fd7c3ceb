package io.outrigger.benchmarks;

import java.util.concurrent.CompletableFuture;

/**
 * A streaming client of one {@link BenchmarkTarget}, connected to its server: opens the streams of
 * the {@link StreamWorkload}s. Every method returns at once; the work goes on on the target's own
 * threads. Thread-safe.
 */
public interface StreamClient extends AutoCloseable {

    /**
     * Opens a server stream of {@code count} messages of {@code workload} ({@code stream-small} or
     * {@code stream-user}) and takes them as fast as they come, calling {@code onMessage} for each.
     *
     * @return the open stream; {@link OpenStream#done()} completes with the messages received
     */
    OpenStream serverStream(StreamWorkload workload, int count, Runnable onMessage);

    /**
     * Opens an upload of {@code chunks} 1 MiB chunks, sent as fast as the stream's flow control lets
     * them go, calling {@code onChunkSent} as each is handed to the target.
     *
     * @return the open stream; {@link OpenStream#done()} completes with the chunks the server counted
     */
    OpenStream upload(int chunks, Runnable onChunkSent);

    /** Opens a bidirectional stream for a ping-pong. */
    PingPong pingPong();

    @Override
    void close();

    /** A stream in progress. */
    interface OpenStream {
        /** Completes when the stream ends: with a count (see the method that opened it), or exceptionally. */
        CompletableFuture<Long> done();

        /** Cancels the stream the way the target's API does; {@link #done()} then completes exceptionally. */
        void cancel();
    }

    /** One open bidirectional stream on which a message is sent and its answer awaited, in turn. */
    interface PingPong {
        /**
         * Sends a message carrying {@code seq}; call again only once the previous answer came.
         *
         * @return completes with the sequence number the server answered
         */
        CompletableFuture<Long> ping(long seq);

        /** Ends this side of the stream; the returned stage completes when the server ended it too. */
        CompletableFuture<Void> finish();
    }
}
