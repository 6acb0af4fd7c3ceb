package io.outrigger.benchmarks.internal;

import io.outrigger.benchmarks.StreamClient;
import io.outrigger.benchmarks.StreamClient.OpenStream;
import io.outrigger.benchmarks.StreamClient.PingPong;
import io.outrigger.benchmarks.StreamWorkload;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Keeps a fixed number of streams of one {@link StreamWorkload} open and counts what they carry:
 * messages received (server streams), round trips (ping-pong) or chunks handed to the target
 * (uploads, 1 MiB each). Each stream is opened again when it ends; a failed one after a 1 ms pause.
 *
 * <p>Latencies recorded: each ping-pong round trip, from sending the ping to its answer; each
 * upload, from opening it to the server's answer. Server streams record none (their messages are
 * not requests). On {@link #stop}, server streams and uploads still open are cancelled, and each
 * ping-pong ends its side once its last answer came.
 */
final class StreamLoop {

    private final StreamClient client;
    private final StreamWorkload workload;
    private final int streams;
    private final ScheduledExecutorService retryTimer;
    private final Recorder recorder = new Recorder(3);
    private final LongAdder counted = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicReferenceArray<OpenStream> current;
    private final AtomicLong seq = new AtomicLong();
    private volatile Throwable lastError;
    private volatile boolean running;

    StreamLoop(StreamClient client, StreamWorkload workload, int streams, ScheduledExecutorService retryTimer) {
        this.client = client;
        this.workload = workload;
        this.streams = streams;
        this.retryTimer = retryTimer;
        this.current = new AtomicReferenceArray<>(streams);
    }

    void start() {
        running = true;
        for (int lane = 0; lane < streams; lane++) {
            open(lane);
        }
    }

    private void open(int lane) {
        open.incrementAndGet();
        try {
            if (workload == StreamWorkload.PING_PONG) {
                pingPong(client.pingPong());
                return;
            }
            long start = System.nanoTime();
            OpenStream stream = workload.isServerStreaming()
                    ? client.serverStream(workload, StreamWorkload.MESSAGES_PER_STREAM, counted::increment)
                    : client.upload(StreamWorkload.CHUNKS_PER_UPLOAD, counted::increment);
            current.set(lane, stream);
            if (!running) {
                stream.cancel(); // stop() may have looked at this lane before the stream was in it
            }
            stream.done().whenComplete((count, error) -> {
                if (error == null && workload == StreamWorkload.UPLOAD_1M) {
                    if (count == StreamWorkload.CHUNKS_PER_UPLOAD) {
                        recorder.recordValue(System.nanoTime() - start);
                    } else {
                        error = new IllegalStateException(
                                "the server counted " + count + " of " + StreamWorkload.CHUNKS_PER_UPLOAD + " chunks");
                    }
                }
                ended(lane, error);
            });
        } catch (RuntimeException e) {
            ended(lane, e);
        }
    }

    private void pingPong(PingPong stream) {
        long n = seq.incrementAndGet();
        long start = System.nanoTime();
        stream.ping(n).whenComplete((answer, error) -> {
            if (error == null && answer != n) {
                error = new IllegalStateException("sent " + n + ", the answer says " + answer);
            }
            if (error != null) {
                stream.finish();
                ended(-1, error);
                return;
            }
            recorder.recordValue(System.nanoTime() - start);
            counted.increment();
            if (running) {
                pingPong(stream);
            } else {
                stream.finish().whenComplete((ignored, endError) -> ended(-1, endError));
            }
        });
    }

    private void ended(int lane, Throwable error) {
        if (error != null && running) {
            errors.increment();
            lastError = error;
        }
        open.decrementAndGet();
        if (running) {
            int next = Math.max(lane, 0);
            if (error == null) {
                open(next);
            } else {
                // Back off a little so a broken connection does not spin at full speed.
                retryTimer.schedule(
                        () -> {
                            if (running) {
                                open(next);
                            }
                        },
                        1,
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    /** What the streams carried so far: messages, round trips or chunks. */
    long counted() {
        return counted.sum();
    }

    /** Latencies (ns) recorded since the previous call; resets the interval. */
    Histogram interval() {
        return recorder.getIntervalHistogram();
    }

    long errors() {
        return errors.sum();
    }

    Throwable lastError() {
        return lastError;
    }

    /**
     * Stops opening streams, cancels those still open (ping-pongs end their side instead) and waits
     * up to {@code timeoutMillis} for all of them to end.
     *
     * @return whether every stream ended in time
     */
    boolean stop(long timeoutMillis) throws InterruptedException {
        running = false;
        for (int lane = 0; lane < streams; lane++) {
            OpenStream stream = current.get(lane);
            if (stream != null) {
                stream.cancel();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (open.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }

    /**
     * Checks once that {@code workload} works on {@code client}: a server stream of 10 messages
     * ends after all 10, a ping is answered with its number, an upload of 2 chunks is counted.
     *
     * @throws IllegalStateException if it does not
     */
    static void verify(StreamClient client, StreamWorkload workload) throws Exception {
        long got;
        long expected;
        switch (workload) {
            case STREAM_SMALL, STREAM_USER -> {
                LongAdder seen = new LongAdder();
                got = client.serverStream(workload, 10, seen::increment).done().get(30, TimeUnit.SECONDS);
                expected = 10;
                if (seen.sum() != 10) {
                    got = seen.sum();
                }
            }
            case PING_PONG -> {
                PingPong p = client.pingPong();
                got = p.ping(7).get(30, TimeUnit.SECONDS);
                expected = 7;
                CompletableFuture<Void> end = p.finish();
                end.get(30, TimeUnit.SECONDS);
            }
            case UPLOAD_1M -> {
                got = client.upload(2, () -> {}).done().get(30, TimeUnit.SECONDS);
                expected = 2;
            }
            default -> throw new IllegalArgumentException(workload.label());
        }
        if (got != expected) {
            throw new IllegalStateException(
                    "wrong answer to " + workload.label() + ": " + got + " (expected " + expected + ")");
        }
    }
}
