package io.outrigger.benchmarks.internal;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One measured period of one target: a workload at a concurrency. Travels from the client JVM to
 * the orchestrator as one {@code RESULT key=value ...} line on stdout.
 */
record CellResult(
        String workload,
        int concurrency,
        long calls,
        double seconds,
        long p50Nanos,
        long p99Nanos,
        long p999Nanos,
        long maxNanos,
        long clientCpuNanos,
        long serverCpuNanos,
        long errors) {

    static final String PREFIX = "RESULT ";

    double callsPerSecond() {
        return calls / seconds;
    }

    /** Client plus server CPU time per call, in microseconds; NaN if unknown. */
    double cpuMicrosPerCall() {
        return clientCpuNanos < 0 || serverCpuNanos < 0 || calls == 0
                ? Double.NaN
                : (clientCpuNanos + serverCpuNanos) / 1e3 / calls;
    }

    double clientCpuMicrosPerCall() {
        return clientCpuNanos < 0 || calls == 0 ? Double.NaN : clientCpuNanos / 1e3 / calls;
    }

    double serverCpuMicrosPerCall() {
        return serverCpuNanos < 0 || calls == 0 ? Double.NaN : serverCpuNanos / 1e3 / calls;
    }

    String line() {
        return String.format(
                Locale.ROOT,
                PREFIX + "workload=%s concurrency=%d calls=%d seconds=%.6f p50=%d p99=%d p999=%d max=%d"
                        + " clientCpu=%d serverCpu=%d errors=%d",
                workload,
                concurrency,
                calls,
                seconds,
                p50Nanos,
                p99Nanos,
                p999Nanos,
                maxNanos,
                clientCpuNanos,
                serverCpuNanos,
                errors);
    }

    static CellResult parse(String line) {
        Map<String, String> kv = new HashMap<>();
        for (String part : line.substring(PREFIX.length()).trim().split(" ")) {
            int eq = part.indexOf('=');
            kv.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return new CellResult(
                kv.get("workload"),
                Integer.parseInt(kv.get("concurrency")),
                Long.parseLong(kv.get("calls")),
                Double.parseDouble(kv.get("seconds")),
                Long.parseLong(kv.get("p50")),
                Long.parseLong(kv.get("p99")),
                Long.parseLong(kv.get("p999")),
                Long.parseLong(kv.get("max")),
                Long.parseLong(kv.get("clientCpu")),
                Long.parseLong(kv.get("serverCpu")),
                Long.parseLong(kv.get("errors")));
    }
}
