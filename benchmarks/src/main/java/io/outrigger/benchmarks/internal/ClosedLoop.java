package io.outrigger.benchmarks.internal;

import io.outrigger.benchmarks.Client;
import io.outrigger.benchmarks.Workload;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Keeps a fixed number of calls in flight: each completion records its latency and starts the
 * next call from the completing thread. Closed loop, so the measured throughput is what the
 * target sustains at that concurrency (latency here excludes queueing before the call starts).
 */
final class ClosedLoop {

    private final Client client;
    private final Workload workload;
    private final int concurrency;
    private final ScheduledExecutorService retryTimer;
    private final Recorder recorder = new Recorder(3);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder errors = new LongAdder();
    private volatile Throwable lastError;
    private volatile boolean running;

    ClosedLoop(Client client, Workload workload, int concurrency, ScheduledExecutorService retryTimer) {
        this.client = client;
        this.workload = workload;
        this.concurrency = concurrency;
        this.retryTimer = retryTimer;
    }

    void start() {
        running = true;
        for (int i = 0; i < concurrency; i++) {
            issue();
        }
    }

    private void issue() {
        inFlight.incrementAndGet();
        long start = System.nanoTime();
        CompletableFuture<?> call;
        try {
            call = client.call(workload);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((response, error) -> complete(start, error));
    }

    private void complete(long start, Throwable error) {
        long latency = System.nanoTime() - start;
        if (error == null) {
            recorder.recordValue(latency);
        } else {
            errors.increment();
            lastError = error;
        }
        inFlight.decrementAndGet();
        if (running) {
            if (error == null) {
                issue();
            } else {
                // Back off a little so a broken connection does not spin (or recurse) at full speed.
                retryTimer.schedule(this::issueIfRunning, 1, TimeUnit.MILLISECONDS);
            }
        }
    }

    private void issueIfRunning() {
        if (running) {
            issue();
        }
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

    /** Stops starting calls and waits up to {@code timeoutMillis} for those in flight. */
    boolean stop(long timeoutMillis) throws InterruptedException {
        running = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (inFlight.get() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(1);
        }
        return true;
    }
}
