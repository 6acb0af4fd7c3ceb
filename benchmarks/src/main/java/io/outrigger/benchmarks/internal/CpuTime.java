package io.outrigger.benchmarks.internal;

import java.time.Duration;

/** CPU time (user + system, all threads) of a process, as the OS accounts it. */
final class CpuTime {

    private CpuTime() {}

    /**
     * Nanoseconds of CPU used so far by process {@code pid}, or {@code -1} if unknown. On Linux the
     * JDK reads {@code utime + stime} from {@code /proc/<pid>/stat}, in clock ticks (10 ms), which
     * over a measured period of seconds is well under a percent.
     */
    static long nanos(long pid) {
        return ProcessHandle.of(pid)
                .flatMap(p -> p.info().totalCpuDuration())
                .map(Duration::toNanos)
                .orElse(-1L);
    }
}
