package io.outrigger.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Measures when this JVM could not run (as jHiccup does): a thread asks to sleep 1 ms and records
 * how much longer it took. On a busy machine, stalls of hundreds of milliseconds happen with no
 * fault injected; the assertions allow for the stalls measured here, so they judge the framework,
 * not the machine.
 */
final class Hiccups implements AutoCloseable {

    /** Oversleeps shorter than this are ordinary timer slack, not stalls. */
    private static final long THRESHOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private record Stall(long atNanos, long nanos) {}

    private final List<Stall> stalls = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    private Hiccups() {
        thread = new Thread(this::loop, "hiccups");
        thread.setDaemon(true);
        thread.start();
    }

    static Hiccups start() {
        return new Hiccups();
    }

    private void loop() {
        long tick = TimeUnit.MILLISECONDS.toNanos(1);
        while (running.get()) {
            long before = System.nanoTime();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                return;
            }
            long over = System.nanoTime() - before - tick;
            if (over > THRESHOLD_NANOS) {
                synchronized (stalls) {
                    stalls.add(new Stall(before, over));
                }
            }
        }
    }

    /** Milliseconds this JVM was stalled in {@code [from, to)}, summed. */
    long stalledMillis(long from, long to) {
        long sum = 0;
        synchronized (stalls) {
            for (Stall s : stalls) {
                if (s.atNanos >= from && s.atNanos < to) {
                    sum += s.nanos;
                }
            }
        }
        return TimeUnit.NANOSECONDS.toMillis(sum);
    }

    /** The longest stall in {@code [from, to)}, in milliseconds. */
    long longestMillis(long from, long to) {
        long max = 0;
        synchronized (stalls) {
            for (Stall s : stalls) {
                if (s.atNanos >= from && s.atNanos < to) {
                    max = Math.max(max, s.nanos);
                }
            }
        }
        return TimeUnit.NANOSECONDS.toMillis(max);
    }

    @Override
    public void close() {
        running.set(false);
        thread.interrupt();
    }
}
