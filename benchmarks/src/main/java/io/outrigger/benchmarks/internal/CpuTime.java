package io.outrigger.benchmarks.internal;

import java.time.Duration;
import java.util.Optional;

/** CPU time (user + system, all threads) of a process and the processes it started. */
final class CpuTime {

    private CpuTime() {}

    /**
     * Nanoseconds of CPU used so far by process {@code pid} and its live descendants (a sidecar a
     * target starts counts as part of it), or {@code -1} if unknown. On Linux the JDK reads
     * {@code utime + stime} from {@code /proc/<pid>/stat}, in clock ticks (10 ms), which over a
     * measured period of seconds is well under a percent.
     */
    static long nanos(long pid) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty()) {
            return -1;
        }
        long total = cpu(process.get());
        if (total < 0) {
            return -1;
        }
        for (ProcessHandle child : (Iterable<ProcessHandle>) process.get().descendants()::iterator) {
            total += Math.max(0, cpu(child));
        }
        return total;
    }

    private static long cpu(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }
}
