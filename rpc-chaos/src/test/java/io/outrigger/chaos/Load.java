package io.outrigger.chaos;

import io.outrigger.core.RequestMayHaveRunException;
import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * A steady call load: {@code threads} threads, each calling at its share of {@code callsPerSecond}
 * on a fixed schedule. A thread that falls behind skips the slots it missed instead of bursting,
 * so a stalled call shows up as lost throughput. Every call is recorded (start time, latency,
 * outcome); the figures are computed after {@link #stop()}.
 *
 * <p>Not reusable: start, stop, then read.
 */
final class Load implements AutoCloseable {

    /** One call to make; throws {@link RpcException} (possibly wrapped) when it fails. */
    @FunctionalInterface
    interface Call {
        void run(long sequence) throws Exception;
    }

    /** A recorded call. {@code code} is null for a success. */
    record Sample(long startNanos, long latencyNanos, Status.Code code, boolean mayHaveRun) {
        boolean ok() {
            return code == null;
        }
    }

    private final String name;
    private final int callsPerSecond;
    private final List<Thread> threads = new ArrayList<>();
    private final List<List<Sample>> perThread = new ArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final long startNanos = System.nanoTime();
    private List<Sample> samples;

    private Load(String name, int threadCount, int callsPerSecond, Call call) {
        this.name = name;
        this.callsPerSecond = callsPerSecond;
        long interval = TimeUnit.SECONDS.toNanos(1) * threadCount / callsPerSecond;
        for (int t = 0; t < threadCount; t++) {
            List<Sample> mine = new ArrayList<>();
            perThread.add(mine);
            int index = t;
            Thread thread = new Thread(() -> loop(call, interval, index, threadCount, mine), name + "-load-" + t);
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    /** Starts {@code threads} threads offering {@code callsPerSecond} calls per second in total. */
    static Load start(String name, int threads, int callsPerSecond, Call call) {
        return new Load(name, threads, callsPerSecond, call);
    }

    private void loop(Call call, long interval, int index, int threadCount, List<Sample> out) {
        // Spread the threads over one interval so the calls are evenly spaced.
        long next = System.nanoTime() + interval * index / threadCount;
        long sequence = index;
        while (running.get()) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            long start = System.nanoTime();
            Status.Code code = null;
            boolean mayHaveRun = false;
            try {
                call.run(sequence);
            } catch (Throwable t) {
                Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
                if (cause instanceof RpcException e) {
                    code = e.status().code();
                    mayHaveRun = RequestMayHaveRunException.mayHaveRun(e.status());
                } else {
                    code = Status.Code.UNKNOWN;
                }
                if (failures.size() < 20) {
                    failures.add(cause.toString());
                }
            }
            long end = System.nanoTime();
            out.add(new Sample(start, end - start, code, mayHaveRun));
            sequence += threadCount;
            next += interval;
            if (end - next > interval) {
                // Behind by more than a slot: skip the missed slots rather than burst to catch up.
                next = end + ThreadLocalRandom.current().nextLong(interval);
            }
        }
    }

    /** Now, on the clock the samples use. */
    static long now() {
        return System.nanoTime();
    }

    /** Stops the threads and waits for their calls in flight to end (at most the call timeout). */
    Load stop() {
        if (samples != null) {
            return this;
        }
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Sample> all = new ArrayList<>();
        for (List<Sample> list : perThread) {
            synchronized (list) {
                all.addAll(list);
            }
        }
        all.sort((a, b) -> Long.compare(a.startNanos, b.startNanos));
        samples = all;
        return this;
    }

    @Override
    public void close() {
        stop();
    }

    String name() {
        return name;
    }

    int callsPerSecond() {
        return callsPerSecond;
    }

    long startNanos() {
        return startNanos;
    }

    /** The first failures seen, as text (at most 20). */
    List<String> failureExamples() {
        return failures;
    }

    /** Every call, by start time. */
    List<Sample> samples() {
        if (samples == null) {
            throw new IllegalStateException("stop() first");
        }
        return samples;
    }

    /** The calls started in {@code [from, to)}. */
    Window window(long from, long to) {
        List<Sample> in = new ArrayList<>();
        for (Sample s : samples()) {
            if (s.startNanos >= from && s.startNanos < to) {
                in.add(s);
            }
        }
        return new Window(in, to - from);
    }

    /** Every call. */
    Window all() {
        return new Window(samples(), Long.MAX_VALUE);
    }

    /**
     * Milliseconds from {@code event} to the start of the first one-second window (searched in 50 ms
     * steps) in which no call failed and at least {@code share} of the {@code baselinePerSecond}
     * calls succeeded; -1 if there was none before the load stopped.
     */
    long recoveryMillis(long event, double baselinePerSecond, double share) {
        long second = TimeUnit.SECONDS.toNanos(1);
        long step = TimeUnit.MILLISECONDS.toNanos(50);
        long last = samples().isEmpty() ? event : samples().get(samples().size() - 1).startNanos;
        for (long t = event; t + second <= last; t += step) {
            Window w = window(t, t + second);
            if (w.failed() == 0 && w.succeeded() >= share * baselinePerSecond) {
                return TimeUnit.NANOSECONDS.toMillis(t - event);
            }
        }
        return -1;
    }

    /**
     * Successful calls per {@code stepMillis} slot from {@code from} to {@code to}, failures in
     * brackets, e.g. {@code 30 29 31[2] 30}: where a dip or a failure happened.
     */
    String timeline(long from, long to, long stepMillis) {
        StringBuilder sb = new StringBuilder();
        long step = TimeUnit.MILLISECONDS.toNanos(stepMillis);
        for (long t = from; t < to; t += step) {
            Window w = window(t, t + step);
            sb.append(sb.length() == 0 ? "" : " ").append(w.succeeded());
            if (w.failed() > 0) {
                sb.append('[').append(w.failed()).append(']');
            }
        }
        return sb.toString();
    }

    /** Calls started in a period, with their outcomes and latencies. */
    static final class Window {
        private final List<Sample> samples;
        private final long lengthNanos;

        Window(List<Sample> samples, long lengthNanos) {
            this.samples = samples;
            this.lengthNanos = lengthNanos;
        }

        int calls() {
            return samples.size();
        }

        long failed() {
            return samples.stream().filter(s -> !s.ok()).count();
        }

        long succeeded() {
            return calls() - failed();
        }

        long failedWith(Status.Code code) {
            return samples.stream().filter(s -> s.code == code).count();
        }

        /** Failures that say the request may have run: the call was in flight when its connection broke. */
        long failedInFlight() {
            return samples.stream().filter(s -> !s.ok() && s.mayHaveRun).count();
        }

        double perSecond() {
            return lengthNanos == Long.MAX_VALUE ? Double.NaN : calls() * 1e9 / lengthNanos;
        }

        /** Latencies of successful calls (or of the calls failing with {@code code} if given). */
        Histogram latencies(Status.Code code) {
            Histogram h = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
            for (Sample s : samples) {
                if (code == null ? s.ok() : s.code == code) {
                    h.recordValue(Math.min(s.latencyNanos, h.getHighestTrackableValue()));
                }
            }
            return h;
        }

        Histogram latencies() {
            return latencies(null);
        }
    }

    /** {@code p50=0.41 p99=2.3 max=15 ms} for a latency histogram in nanoseconds. */
    static String percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "p50=- p99=- max=- ms";
        }
        return String.format(
                "p50=%s p99=%s max=%s ms",
                ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()));
    }

    static double millis(long nanos) {
        return nanos / 1e6;
    }

    private static String ms(long nanos) {
        double m = nanos / 1e6;
        return m < 10 ? String.format("%.2f", m) : String.format("%.0f", m);
    }
}
