package io.outrigger.benchmarks.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * Ends a child JVM when the orchestrator that started it goes away (its stdin reaches end of
 * file) or when its time is up, so no benchmark process outlives a run, even after a kill -9.
 */
final class Lifeline {

    private Lifeline() {}

    static void watch(double maxSeconds) {
        Thread stdin = new Thread(
                () -> {
                    InputStream in = System.in;
                    try {
                        while (in.read() >= 0) {
                            // Nothing is sent on stdin; it only signals that the parent is alive.
                        }
                    } catch (IOException ignored) {
                        // The pipe broke: the parent is gone.
                    }
                    System.err.println("orchestrator gone, exiting");
                    exitSoon(0);
                },
                "lifeline-stdin");
        stdin.setDaemon(true);
        stdin.start();

        Thread timer = new Thread(
                () -> {
                    try {
                        Thread.sleep((long) (maxSeconds * 1000));
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.err.println("time limit of " + maxSeconds + " s reached, exiting");
                    exitSoon(3);
                },
                "lifeline-timer");
        timer.setDaemon(true);
        timer.start();
    }

    /** Exits, and halts if shutdown hooks take longer than five seconds. */
    static void exitSoon(int status) {
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException ignored) {
                // Fall through and halt.
            }
            Runtime.getRuntime().halt(status);
        });
        halt.setDaemon(true);
        halt.start();
        System.exit(status);
    }
}
