package io.outrigger.benchmarks.internal;

import io.outrigger.benchmarks.Client;
import io.outrigger.benchmarks.Workload;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Starts calls at a fixed arrival rate, whatever the target does: call {@code i} is due at
 * {@code start + i / rate}, and its latency is measured from that intended start to its
 * completion, as wrk2 does. A target that stalls therefore shows the stall in every call that
 * should have started during it, not in one (the coordinated omission a closed loop has).
 *
 * <p>One scheduler thread sleeps until the next call is due and then starts every call that is
 * due, so a late wake-up starts the overdue calls at once, each still timed from its own intended
 * start. At most {@code maxInFlight} calls are outstanding; past that the scheduler waits, and the
 * waiting counts in the latency of the calls it delays.
 */
final class OpenLoop {

    private final Client client;
    private final Workload workload;
    private final long intervalNanos;
    private final int maxInFlight;
    private final LongSupplier ticker;
    private final Recorder recorder = new Recorder(3);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder errors = new LongAdder();
    private volatile Throwable lastError;
    private volatile boolean running;
    private long start;
    private long started;
    private Thread scheduler;

    /**
     * @param callsPerSecond the arrival rate, at most one call per nanosecond
     * @param ticker nanoseconds of a monotonic clock ({@code System::nanoTime})
     */
    OpenLoop(Client client, Workload workload, double callsPerSecond, int maxInFlight, LongSupplier ticker) {
        if (!(callsPerSecond > 0 && callsPerSecond <= 1e9)) {
            throw new IllegalArgumentException("rate: " + callsPerSecond + " calls/s (expected: > 0 and <= 1e9)");
        }
        this.client = client;
        this.workload = workload;
        this.intervalNanos = Math.max(1, Math.round(1e9 / callsPerSecond));
        this.maxInFlight = maxInFlight;
        this.ticker = ticker;
    }

    /** Starts the schedule now, without a thread: {@link #tick} must then be called (tests). */
    void startSchedule() {
        running = true;
        start = ticker.getAsLong();
        started = 0;
    }

    /** Starts the schedule and a scheduler thread that ticks until {@link #stop}. */
    void start() {
        startSchedule();
        scheduler = new Thread(this::schedule, "open-loop");
        scheduler.setDaemon(true);
        scheduler.start();
    }

    private void schedule() {
        while (running) {
            long wait = tick();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
    }

    /**
     * Starts every call that is due (while fewer than {@code maxInFlight} are outstanding).
     *
     * @return nanoseconds until the next call is due; a small wait if the cap holds calls back
     */
    long tick() {
        long now = ticker.getAsLong();
        while (running && intendedStart(started) <= now) {
            if (inFlight.get() >= maxInFlight) {
                return 50_000; // a completion will make room soon; the delay counts in the latency
            }
            issue(intendedStart(started++));
        }
        return intendedStart(started) - ticker.getAsLong();
    }

    /** When call {@code i} (counting from 0) is due. */
    long intendedStart(long i) {
        return start + i * intervalNanos;
    }

    private void issue(long intendedStart) {
        inFlight.incrementAndGet();
        CompletableFuture<?> call;
        try {
            call = client.call(workload);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((response, error) -> {
            if (error == null) {
                recorder.recordValue(Math.max(0, ticker.getAsLong() - intendedStart));
            } else {
                errors.increment();
                lastError = error;
            }
            inFlight.decrementAndGet();
        });
    }

    /** Latencies (ns, from each call's intended start) recorded since the previous call; resets the interval. */
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
        if (scheduler != null) {
            scheduler.join(timeoutMillis);
        }
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
