package io.outrigger.benchmarks.internal;

import io.outrigger.benchmarks.StreamWorkload;
import io.outrigger.benchmarks.Targets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** Turns the runs of a comparison into a Markdown report (medians over rounds) and a raw CSV. */
final class Report {

    private static final String BASELINE = "dubbo";
    private static final String CEILING = "netty";
    /** The streaming cells' reference: the streaming goal is stated against gRPC-java tuned. */
    private static final String STREAM_BASELINE = "grpc-direct";

    private final Comparison.Settings settings;
    private final boolean netns;
    private final List<Comparison.Run> runs;
    private final List<String> failures;
    private final double minutes;
    private final String javaVersion;
    private final String loadBefore;

    Report(
            Comparison.Settings settings,
            boolean netns,
            List<Comparison.Run> runs,
            List<String> failures,
            double minutes,
            String javaVersion,
            String loadBefore) {
        this.settings = settings;
        this.netns = netns;
        this.runs = runs;
        this.failures = failures;
        this.minutes = minutes;
        this.javaVersion = javaVersion;
        this.loadBefore = loadBefore;
    }

    /** The 1-, 5- and 15-minute load averages of the machine, from {@code /proc/loadavg}. */
    static String loadAverage() {
        String[] parts = read("/proc/loadavg").split(" ");
        return parts.length < 3 ? "unknown" : parts[0] + " " + parts[1] + " " + parts[2];
    }

    /** The medians of one target in one cell. */
    private record Stats(
            int rounds,
            double callsPerSecond,
            double minCallsPerSecond,
            double maxCallsPerSecond,
            double p50,
            double p99,
            double p999,
            double cpu,
            double clientCpu,
            double serverCpu,
            double clientCores,
            double serverCores,
            double offered,
            long errors,
            String note) {}

    private Stats stats(String target, CellSpec spec) {
        List<CellResult> cells = new ArrayList<>();
        String note = "";
        for (Comparison.Run run : runs) {
            if (run.target().equals(target)) {
                for (CellResult cell : run.cells()) {
                    if (cell.cell().equals(spec.text())) {
                        if (cell.calls() > 0) {
                            cells.add(cell);
                        } else {
                            note = cell.note().isEmpty() ? "no call completed" : cell.note();
                        }
                    }
                }
            }
        }
        if (cells.isEmpty()) {
            return note.isEmpty() ? null : new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, note);
        }
        for (CellResult cell : cells) {
            if (!cell.note().isEmpty()) {
                note = cell.note(); // a remark on a measured cell, e.g. how the traffic spread
            }
        }
        return new Stats(
                cells.size(),
                median(cells, CellResult::callsPerSecond),
                cells.stream().mapToDouble(CellResult::callsPerSecond).min().orElse(Double.NaN),
                cells.stream().mapToDouble(CellResult::callsPerSecond).max().orElse(Double.NaN),
                median(cells, c -> c.p50Nanos() / 1e3),
                median(cells, c -> c.p99Nanos() / 1e3),
                median(cells, c -> c.p999Nanos() / 1e3),
                median(cells, CellResult::cpuMicrosPerCall),
                median(cells, CellResult::clientCpuMicrosPerCall),
                median(cells, CellResult::serverCpuMicrosPerCall),
                median(cells, CellResult::clientCores),
                median(cells, CellResult::serverCores),
                median(cells, CellResult::offeredRate),
                cells.stream().mapToLong(CellResult::errors).sum(),
                note);
    }

    private static double median(List<CellResult> cells, ToDoubleFunction<CellResult> value) {
        double[] values = cells.stream().mapToDouble(value).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# RPC comparison ").append(settings.label()).append("\n\n");
        md.append("| | |\n|---|---|\n");
        md.append("| machine | ")
                .append(Runtime.getRuntime().availableProcessors())
                .append(" CPUs (nproc), ")
                .append(cpuModel())
                .append(", ")
                .append(memory())
                .append(" |\n");
        md.append("| OS | Linux ").append(read("/proc/sys/kernel/osrelease")).append(" |\n");
        md.append("| JDK | ").append(javaVersion).append(" |\n");
        md.append("| network | ")
                .append(
                        netns
                                ? "127.0.0.1 in a loopback-only network namespace per server/client pair"
                                : "127.0.0.1 on the host (Dubbo via ::ffff:127.0.0.1), checked with ss")
                .append(" |\n");
        md.append("| schedule | ")
                .append(settings.rounds())
                .append(" round(s), targets interleaved; per client JVM ")
                .append(fmt(settings.jvmWarmup()))
                .append(" s JVM warm-up, then per cell ")
                .append(fmt(settings.warmup()))
                .append(" s warm-up + ")
                .append(fmt(settings.measure()))
                .append(" s measured |\n");
        md.append("| machine's other load | load average ")
                .append(loadBefore)
                .append(" before the run, ")
                .append(loadAverage())
                .append(" after it (1, 5, 15 min; this run's own JVMs count in it) |\n");
        md.append("| command | `benchmarks/run.sh ")
                .append(settings.commandLine().isBlank() ? "" : settings.commandLine())
                .append("` (took ")
                .append(String.format(Locale.ROOT, "%.1f", minutes))
                .append(" min) |\n\n");

        md.append("Targets:\n\n");
        for (String target : settings.targets()) {
            md.append("- `")
                    .append(target)
                    .append("`: ")
                    .append(Targets.named(target).description())
                    .append('\n');
        }
        List<CellSpec> closed = settings.closedCells();
        if (!closed.isEmpty() || !settings.openCells().isEmpty()) {
            md.append("\nMedians over rounds. calls/s: completed calls per second with a fixed number of calls in "
                    + "flight (closed loop). Latency: from starting a call to its completion on the client. CPU: "
                    + "user + system time of the client and server processes during the measured period, divided "
                    + "by the calls completed. × columns: calls/s relative to `" + BASELINE + "` and to `" + CEILING
                    + "`.\n\n");
        }
        if (!closed.isEmpty()) {
            summary(md, closed);
        }
        for (CellSpec cell : closed) {
            closedTable(md, cell);
        }
        List<CellSpec> streams = settings.streamCells();
        if (!streams.isEmpty()) {
            streamSummary(md, streams);
            for (CellSpec cell : streams) {
                streamTable(md, cell);
            }
        }
        List<CellSpec> open = settings.openCells();
        if (!open.isEmpty()) {
            openLoopTable(md, open);
        }
        if (settings.idleConnections() > 0) {
            idleTable(md);
        }
        if (!failures.isEmpty()) {
            md.append("\n## Problems\n\n");
            for (String failure : failures) {
                md.append("- ").append(failure.replace("\n", "\n  ")).append('\n');
            }
        }
        return md.toString();
    }

    private void summary(StringBuilder md, List<CellSpec> closed) {
        md.append("## Summary: calls/s (CPU µs per call)\n\n");
        md.append("| target |");
        for (CellSpec cell : closed) {
            md.append(' ').append(cell.title()).append(" |");
        }
        md.append('\n').append("|---|");
        md.append("---:|".repeat(closed.size()));
        md.append('\n');
        for (String target : settings.targets()) {
            md.append("| ").append(target).append(" |");
            for (CellSpec cell : closed) {
                Stats s = stats(target, cell);
                md.append(' ')
                        .append(
                                s == null
                                        ? "–"
                                        : s.rounds() == 0
                                                ? shortNote(s.note())
                                                : String.format(
                                                        Locale.ROOT, "%,.0f (%.0f)", s.callsPerSecond(), s.cpu()))
                        .append(" |");
            }
            md.append('\n');
        }
    }

    private void closedTable(StringBuilder md, CellSpec cell) {
        boolean payload = cell.workload().isEcho();
        md.append("\n## ")
                .append(cell.workload().label())
                .append(", ")
                .append(cell.concurrency())
                .append(" in flight")
                .append(cell.connections() == 1 ? "" : " over " + cell.connections() + " connections")
                .append("\n\n");
        md.append("| target | calls/s |")
                .append(payload ? " MiB/s each way |" : "")
                .append(" × ")
                .append(BASELINE)
                .append(" | × ")
                .append(CEILING)
                .append(" | p50 µs | p99 µs | p99.9 µs | CPU µs/call | client µs | server µs | cores client + server"
                        + " | rounds | calls/s min–max | errors |\n");
        md.append("|---|---:|")
                .append(payload ? "---:|" : "")
                .append("---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        Stats baseline = stats(BASELINE, cell);
        Stats ceiling = stats(CEILING, cell);
        for (String target : settings.targets()) {
            Stats s = stats(target, cell);
            if (s == null || s.rounds() == 0) {
                md.append("| ")
                        .append(target)
                        .append(" | ")
                        .append(s == null ? "–" : s.note().replace("|", "/"))
                        .append(" |")
                        .append(payload ? " |" : "")
                        .append(" | | | | | | | | | 0 | | |\n");
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %,.0f |", target, s.callsPerSecond()));
            if (payload) {
                md.append(String.format(
                        Locale.ROOT,
                        " %,.1f |",
                        s.callsPerSecond() * cell.workload().payloadBytes() / 1048576.0));
            }
            md.append(String.format(
                    Locale.ROOT,
                    " %s | %s | %.0f | %.0f | %.0f | %.1f | %.1f | %.1f | %.2f + %.2f | %d | %,.0f–%,.0f | %d |\n",
                    ratio(s, baseline),
                    ratio(s, ceiling),
                    s.p50(),
                    s.p99(),
                    s.p999(),
                    s.cpu(),
                    s.clientCpu(),
                    s.serverCpu(),
                    s.clientCores(),
                    s.serverCores(),
                    s.rounds(),
                    s.minCallsPerSecond(),
                    s.maxCallsPerSecond(),
                    s.errors()));
        }
        StringBuilder remarks = new StringBuilder();
        for (String target : settings.targets()) {
            Stats s = stats(target, cell);
            if (s != null && s.rounds() > 0 && !s.note().isEmpty()) {
                remarks.append("- `")
                        .append(target)
                        .append("`: ")
                        .append(s.note())
                        .append('\n');
            }
        }
        if (!remarks.isEmpty()) {
            md.append('\n').append(remarks);
        }
    }

    /** What a streaming cell counts, plural: {@code messages}, {@code round trips} or {@code MiB}. */
    static String units(StreamWorkload stream) {
        return switch (stream) {
            case STREAM_SMALL, STREAM_USER -> "messages";
            case PING_PONG -> "round trips";
            case UPLOAD_1M -> "MiB";
        };
    }

    /** What a streaming cell counts, one of them: {@code message}, {@code round trip} or {@code MiB}. */
    static String unit(StreamWorkload stream) {
        return switch (stream) {
            case STREAM_SMALL, STREAM_USER -> "message";
            case PING_PONG -> "round trip";
            case UPLOAD_1M -> "MiB";
        };
    }

    private void streamSummary(StringBuilder md, List<CellSpec> streams) {
        md.append("\n## Streaming summary: messages/s, round trips/s or MiB/s (CPU µs per message, round trip"
                + " or MiB)\n\n");
        md.append("Server streams (`stream-small`: a `Tick` of a sequence number; `stream-user`: the `User`) "
                + "count the messages the client received; `pingpong` counts round trips on one bidirectional "
                + "stream (a message sent, its answer awaited); `upload1m` counts the 1 MiB chunks the client "
                + "handed to the target (" + StreamWorkload.CHUNKS_PER_UPLOAD + " per upload, answered once). "
                + "Streams run one after another on every stream slot; those open at the end are cancelled. × "
                + "columns below: relative to `" + STREAM_BASELINE + "`.\n\n");
        md.append("| target |");
        for (CellSpec cell : streams) {
            md.append(' ').append(cell.title()).append(" |");
        }
        md.append('\n').append("|---|");
        md.append("---:|".repeat(streams.size()));
        md.append('\n');
        for (String target : settings.targets()) {
            md.append("| ").append(target).append(" |");
            for (CellSpec cell : streams) {
                Stats s = stats(target, cell);
                md.append(' ')
                        .append(
                                s == null
                                        ? "–"
                                        : s.rounds() == 0
                                                ? shortNote(s.note())
                                                : String.format(
                                                        Locale.ROOT, "%,.0f (%.2f)", s.callsPerSecond(), s.cpu()))
                        .append(" |");
            }
            md.append('\n');
        }
    }

    private void streamTable(StringBuilder md, CellSpec cell) {
        StreamWorkload stream = cell.stream();
        // Latency means something for a round trip, and for a whole upload (in ms); not for a stream's messages.
        boolean roundTrips = stream == StreamWorkload.PING_PONG;
        boolean uploads = stream == StreamWorkload.UPLOAD_1M;
        String unit = unit(stream);
        md.append("\n## ").append(cell.title()).append("\n\n");
        md.append("| target | ")
                .append(units(stream))
                .append("/s | × ")
                .append(STREAM_BASELINE)
                .append(" |");
        if (roundTrips) {
            md.append(" p50 µs | p99 µs | p99.9 µs |");
        } else if (uploads) {
            md.append(" p50 ms per upload | p99 ms per upload |");
        }
        md.append(" CPU µs/")
                .append(unit)
                .append(" | client µs | server µs | cores client + server | rounds | ")
                .append(units(stream))
                .append("/s min–max | errors |\n");
        int latencyColumns = roundTrips ? 3 : uploads ? 2 : 0;
        md.append("|---|---:|---:|")
                .append("---:|".repeat(latencyColumns))
                .append("---:|---:|---:|---:|---:|---:|---:|\n");
        Stats baseline = stats(STREAM_BASELINE, cell);
        for (String target : settings.targets()) {
            Stats s = stats(target, cell);
            if (s == null || s.rounds() == 0) {
                md.append("| ")
                        .append(target)
                        .append(" | ")
                        .append(s == null ? "–" : s.note().replace("|", "/"))
                        .append(" |")
                        .append(" |".repeat(latencyColumns))
                        .append(" | | | | | 0 | | |\n");
                continue;
            }
            md.append(
                    String.format(Locale.ROOT, "| %s | %,.0f | %s |", target, s.callsPerSecond(), ratio(s, baseline)));
            if (roundTrips) {
                md.append(String.format(Locale.ROOT, " %.0f | %.0f | %.0f |", s.p50(), s.p99(), s.p999()));
            } else if (uploads) {
                md.append(String.format(Locale.ROOT, " %.0f | %.0f |", s.p50() / 1e3, s.p99() / 1e3));
            }
            md.append(String.format(
                    Locale.ROOT,
                    " %.2f | %.2f | %.2f | %.2f + %.2f | %d | %,.0f–%,.0f | %d |\n",
                    s.cpu(),
                    s.clientCpu(),
                    s.serverCpu(),
                    s.clientCores(),
                    s.serverCores(),
                    s.rounds(),
                    s.minCallsPerSecond(),
                    s.maxCallsPerSecond(),
                    s.errors()));
        }
    }

    private void openLoopTable(StringBuilder md, List<CellSpec> open) {
        md.append("\n## Open loop: fixed arrival rates\n\n");
        md.append("Calls start on a fixed schedule whatever the target does; latency is measured from each call's "
                + "intended start (coordinated omission corrected, as wrk2 does). A rate given as a percentage is "
                + "of the highest calls/s the same target reached on the same workload in this run's closed-loop "
                + "cells on one connection. At most " + CellSpec.OPEN_LOOP_MAX_IN_FLIGHT + " calls in flight; past "
                + "that the schedule waits, and the wait counts in the latency.\n\n");
        md.append("| cell | target | offered calls/s | calls/s | p50 µs | p99 µs | p99.9 µs | CPU µs/call | client µs"
                + " | server µs | cores client + server | rounds | errors |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (CellSpec cell : open) {
            for (String target : settings.targets()) {
                Stats s = stats(target, cell);
                if (s == null || s.rounds() == 0) {
                    md.append("| ")
                            .append(cell.title())
                            .append(" | ")
                            .append(target)
                            .append(" | ")
                            .append(s == null ? "–" : s.note().replace("|", "/"))
                            .append(" | | | | | | | | | 0 | |\n");
                    continue;
                }
                md.append(String.format(
                        Locale.ROOT,
                        "| %s | %s | %,.0f | %,.0f | %.0f | %.0f | %.0f | %.1f | %.1f | %.1f | %.2f + %.2f | %d | %d |\n",
                        cell.title(),
                        target,
                        s.offered(),
                        s.callsPerSecond(),
                        s.p50(),
                        s.p99(),
                        s.p999(),
                        s.cpu(),
                        s.clientCpu(),
                        s.serverCpu(),
                        s.clientCores(),
                        s.serverCores(),
                        s.rounds(),
                        s.errors()));
            }
        }
    }

    private void idleTable(StringBuilder md) {
        md.append("\n## ")
                .append(settings.idleConnections())
                .append(" idle connections: the server's memory per connection\n\n");
        md.append("A fresh server per target. The client opens the connections, makes one `existUser` call on each, "
                + "closes them (a warm-up), then, with none open, reads the server's RSS (`VmRSS` of "
                + "`/proc/PID/status`) and live heap (`jcmd PID GC.run`, then `GC.heap_info`); opens them again, "
                + "one call each, counts them with `ss` and reads both again. Per connection: the growth divided "
                + "by the connections established. Medians over rounds.\n\n");
        md.append("| target | established | RSS before MiB | RSS after MiB | RSS KiB/connection | heap before MiB"
                + " | heap after MiB | heap KiB/connection | rounds | failed calls |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String target : settings.targets()) {
            List<MemoryResult> results = new ArrayList<>();
            for (Comparison.Run run : runs) {
                if (run.target().equals(target)) {
                    results.addAll(run.memory());
                }
            }
            if (results.isEmpty()) {
                Stats skipped = stats(target, CellSpec.idle(settings.idleConnections()));
                md.append("| ")
                        .append(target)
                        .append(" | ")
                        .append(skipped == null ? "–" : skipped.note().replace("|", "/"))
                        .append(" | | | | | | | 0 | |\n");
                continue;
            }
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %d | %d |\n",
                    target,
                    medianOf(results, r -> r.established()),
                    medianOf(results, r -> r.rssBefore() / 1048576.0),
                    medianOf(results, r -> r.rssAfter() / 1048576.0),
                    medianOf(results, MemoryResult::rssKibPerConnection),
                    medianOf(results, r -> r.heapBefore() < 0 ? Double.NaN : r.heapBefore() / 1048576.0),
                    medianOf(results, r -> r.heapAfter() < 0 ? Double.NaN : r.heapAfter() / 1048576.0),
                    medianOf(results, MemoryResult::heapKibPerConnection),
                    results.size(),
                    results.stream().mapToLong(MemoryResult::errors).sum()));
        }
    }

    private static <T> double medianOf(List<T> items, ToDoubleFunction<T> value) {
        double[] values = items.stream().mapToDouble(value).sorted().toArray();
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static String shortNote(String note) {
        int colon = note.indexOf(':');
        return colon < 0 ? note : note.substring(0, colon);
    }

    /** The summary tables only (unary and streaming), for the console. */
    String summary() {
        String md = markdown();
        StringBuilder out = new StringBuilder();
        for (String heading : List.of("## Summary", "## Streaming summary")) {
            int from = md.indexOf(heading);
            if (from >= 0) {
                int to = md.indexOf("\n## ", from + 1);
                out.append(md, from, to < 0 ? md.length() : to).append("\n\n");
            }
        }
        return out.length() == 0 ? md.trim() : out.toString().trim();
    }

    String csv() {
        StringBuilder csv = new StringBuilder(
                "round,target,workload,concurrency,calls,seconds,calls_per_s,p50_us,p99_us,p999_us,max_us,"
                        + "client_cpu_us_per_call,server_cpu_us_per_call,errors,cell,connections,offered_calls_per_s,"
                        + "client_cores,server_cores,note\n");
        for (Comparison.Run run : runs) {
            for (CellResult c : run.cells()) {
                csv.append(String.format(
                        Locale.ROOT,
                        "%d,%s,%s,%d,%d,%.3f,%.0f,%.1f,%.1f,%.1f,%.1f,%.2f,%.2f,%d,%s,%d,%.0f,%.3f,%.3f,\"%s\"\n",
                        run.round(),
                        run.target(),
                        c.workload(),
                        c.concurrency(),
                        c.calls(),
                        c.seconds(),
                        c.callsPerSecond(),
                        c.p50Nanos() / 1e3,
                        c.p99Nanos() / 1e3,
                        c.p999Nanos() / 1e3,
                        c.maxNanos() / 1e3,
                        c.clientCpuMicrosPerCall(),
                        c.serverCpuMicrosPerCall(),
                        c.errors(),
                        c.cell(),
                        c.connections(),
                        c.offeredRate(),
                        c.clientCores(),
                        c.serverCores(),
                        c.note().replace("\"", "'")));
            }
        }
        boolean memory = runs.stream().anyMatch(run -> !run.memory().isEmpty());
        if (memory) {
            csv.append("\nround,target,idle_requested,idle_established,rss_before_bytes,rss_after_bytes,"
                    + "heap_before_bytes,heap_after_bytes,rss_kib_per_connection,heap_kib_per_connection,"
                    + "failed_calls\n");
            for (Comparison.Run run : runs) {
                for (MemoryResult m : run.memory()) {
                    csv.append(String.format(
                            Locale.ROOT,
                            "%d,%s,%d,%d,%d,%d,%d,%d,%.2f,%.2f,%d\n",
                            run.round(),
                            run.target(),
                            m.requested(),
                            m.established(),
                            m.rssBefore(),
                            m.rssAfter(),
                            m.heapBefore(),
                            m.heapAfter(),
                            m.rssKibPerConnection(),
                            m.heapKibPerConnection(),
                            m.errors()));
                }
            }
        }
        return csv.toString();
    }

    private static String ratio(Stats s, Stats reference) {
        return reference == null
                ? "–"
                : String.format(Locale.ROOT, "%.2f", s.callsPerSecond() / reference.callsPerSecond());
    }

    private static String fmt(double seconds) {
        return seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds);
    }

    private static String cpuModel() {
        String cpuinfo = read("/proc/cpuinfo");
        return Arrays.stream(cpuinfo.split("\n"))
                .filter(line -> line.startsWith("model name"))
                .map(line -> line.substring(line.indexOf(':') + 1).trim())
                .findFirst()
                .orElse("unknown CPU");
    }

    private static String memory() {
        return Arrays.stream(read("/proc/meminfo").split("\n"))
                .filter(line -> line.startsWith("MemTotal:"))
                .map(line -> Long.parseLong(line.replaceAll("\\D", "")) / 1024 / 1024 + " GiB RAM")
                .findFirst()
                .orElse("unknown RAM");
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
