package io.outrigger.benchmarks.internal;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One measured period of one target: a {@link CellSpec} (a workload at a concurrency over some
 * connections, closed or open loop). Travels from the client JVM to the orchestrator as one
 * {@code RESULT key=value ...} line on stdout.
 *
 * @param cell the {@link CellSpec#text()} measured
 * @param offeredRate the open loop's arrival rate in calls/s; 0 in a closed loop
 * @param note why nothing was measured (skipped, refused), or empty
 */
record CellResult(
        String cell,
        String workload,
        int concurrency,
        int connections,
        double offeredRate,
        long calls,
        double seconds,
        long p50Nanos,
        long p99Nanos,
        long p999Nanos,
        long maxNanos,
        long clientCpuNanos,
        long serverCpuNanos,
        long errors,
        String note) {

    static final String PREFIX = "RESULT ";

    /** A cell that measured nothing, with the reason. */
    static CellResult unmeasured(CellSpec spec, String note) {
        return new CellResult(
                spec.text(),
                spec.workloadLabel(),
                spec.concurrency(),
                spec.connections(),
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                -1,
                -1,
                0,
                note);
    }

    /** This result with {@code note} (a remark on a measured cell, or why nothing was measured). */
    CellResult withNote(String note) {
        return new CellResult(
                cell,
                workload,
                concurrency,
                connections,
                offeredRate,
                calls,
                seconds,
                p50Nanos,
                p99Nanos,
                p999Nanos,
                maxNanos,
                clientCpuNanos,
                serverCpuNanos,
                errors,
                note);
    }

    double callsPerSecond() {
        return seconds == 0 ? 0 : calls / seconds;
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

    /** Cores the client process kept busy on average during the period (CPU time / wall time). */
    double clientCores() {
        return clientCpuNanos < 0 || seconds == 0 ? Double.NaN : clientCpuNanos / 1e9 / seconds;
    }

    /** Cores the server process kept busy on average during the period. */
    double serverCores() {
        return serverCpuNanos < 0 || seconds == 0 ? Double.NaN : serverCpuNanos / 1e9 / seconds;
    }

    String line() {
        return String.format(
                Locale.ROOT,
                PREFIX + "cell=%s workload=%s concurrency=%d connections=%d offered=%.1f calls=%d seconds=%.6f"
                        + " p50=%d p99=%d p999=%d max=%d clientCpu=%d serverCpu=%d errors=%d note=%s",
                cell,
                workload,
                concurrency,
                connections,
                offeredRate,
                calls,
                seconds,
                p50Nanos,
                p99Nanos,
                p999Nanos,
                maxNanos,
                clientCpuNanos,
                serverCpuNanos,
                errors,
                URLEncoder.encode(note, StandardCharsets.UTF_8));
    }

    static CellResult parse(String line) {
        Map<String, String> kv = new HashMap<>();
        for (String part : line.substring(PREFIX.length()).trim().split(" ")) {
            int eq = part.indexOf('=');
            kv.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return new CellResult(
                kv.get("cell"),
                kv.get("workload"),
                Integer.parseInt(kv.get("concurrency")),
                Integer.parseInt(kv.get("connections")),
                Double.parseDouble(kv.get("offered")),
                Long.parseLong(kv.get("calls")),
                Double.parseDouble(kv.get("seconds")),
                Long.parseLong(kv.get("p50")),
                Long.parseLong(kv.get("p99")),
                Long.parseLong(kv.get("p999")),
                Long.parseLong(kv.get("max")),
                Long.parseLong(kv.get("clientCpu")),
                Long.parseLong(kv.get("serverCpu")),
                Long.parseLong(kv.get("errors")),
                URLDecoder.decode(kv.getOrDefault("note", ""), StandardCharsets.UTF_8));
    }
}
