package io.outrigger.benchmarks.internal;

import io.outrigger.benchmarks.Targets;
import io.outrigger.benchmarks.Workload;
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

    private final Comparison.Settings settings;
    private final boolean netns;
    private final List<Comparison.Run> runs;
    private final List<String> failures;
    private final double minutes;
    private final String javaVersion;

    Report(
            Comparison.Settings settings,
            boolean netns,
            List<Comparison.Run> runs,
            List<String> failures,
            double minutes,
            String javaVersion) {
        this.settings = settings;
        this.netns = netns;
        this.runs = runs;
        this.failures = failures;
        this.minutes = minutes;
        this.javaVersion = javaVersion;
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
            long errors) {}

    private Stats stats(String target, Workload workload, int concurrency) {
        List<CellResult> cells = new ArrayList<>();
        for (Comparison.Run run : runs) {
            if (run.target().equals(target)) {
                for (CellResult cell : run.cells()) {
                    if (cell.workload().equals(workload.label()) && cell.concurrency() == concurrency) {
                        cells.add(cell);
                    }
                }
            }
        }
        if (cells.isEmpty()) {
            return null;
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
                cells.stream().mapToLong(CellResult::errors).sum());
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
        md.append("\nMedians over rounds. calls/s: completed calls per second with a fixed number of calls in "
                + "flight (closed loop). Latency: from starting a call to its completion on the client. CPU: "
                + "user + system time of the client and server processes during the measured period, divided "
                + "by the calls completed. × columns: calls/s relative to `" + BASELINE + "` and to `" + CEILING
                + "`.\n\n");

        md.append("## Summary: calls/s (CPU µs per call)\n\n");
        md.append("| target |");
        for (Workload w : settings.workloads()) {
            for (int c : settings.concurrency()) {
                md.append(' ').append(w.label()).append(" ×").append(c).append(" |");
            }
        }
        md.append('\n').append("|---|");
        md.append("---:|".repeat(settings.cells()));
        md.append('\n');
        for (String target : settings.targets()) {
            md.append("| ").append(target).append(" |");
            for (Workload w : settings.workloads()) {
                for (int c : settings.concurrency()) {
                    Stats s = stats(target, w, c);
                    md.append(' ')
                            .append(
                                    s == null
                                            ? "–"
                                            : String.format(Locale.ROOT, "%,.0f (%.0f)", s.callsPerSecond(), s.cpu()))
                            .append(" |");
                }
            }
            md.append('\n');
        }

        for (Workload w : settings.workloads()) {
            for (int c : settings.concurrency()) {
                md.append("\n## ").append(w.label()).append(", ").append(c).append(" in flight\n\n");
                md.append("| target | calls/s | × ")
                        .append(BASELINE)
                        .append(" | × ")
                        .append(CEILING)
                        .append(
                                " | p50 µs | p99 µs | p99.9 µs | CPU µs/call | client µs | server µs | rounds | calls/s min–max | errors |\n");
                md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
                Stats baseline = stats(BASELINE, w, c);
                Stats ceiling = stats(CEILING, w, c);
                for (String target : settings.targets()) {
                    Stats s = stats(target, w, c);
                    if (s == null) {
                        md.append("| ").append(target).append(" | – | | | | | | | | | 0 | | |\n");
                        continue;
                    }
                    md.append(String.format(
                            Locale.ROOT,
                            "| %s | %,.0f | %s | %s | %.0f | %.0f | %.0f | %.1f | %.1f | %.1f | %d | %,.0f–%,.0f | %d |\n",
                            target,
                            s.callsPerSecond(),
                            ratio(s, baseline),
                            ratio(s, ceiling),
                            s.p50(),
                            s.p99(),
                            s.p999(),
                            s.cpu(),
                            s.clientCpu(),
                            s.serverCpu(),
                            s.rounds(),
                            s.minCallsPerSecond(),
                            s.maxCallsPerSecond(),
                            s.errors()));
                }
            }
        }
        if (!failures.isEmpty()) {
            md.append("\n## Problems\n\n");
            for (String failure : failures) {
                md.append("- ").append(failure.replace("\n", "\n  ")).append('\n');
            }
        }
        return md.toString();
    }

    /** The summary table only, for the console. */
    String summary() {
        String md = markdown();
        int from = md.indexOf("## Summary");
        int to = md.indexOf("\n## ", from + 1);
        return md.substring(from, to < 0 ? md.length() : to).trim();
    }

    String csv() {
        StringBuilder csv = new StringBuilder(
                "round,target,workload,concurrency,calls,seconds,calls_per_s,p50_us,p99_us,p999_us,max_us,"
                        + "client_cpu_us_per_call,server_cpu_us_per_call,errors\n");
        for (Comparison.Run run : runs) {
            for (CellResult c : run.cells()) {
                csv.append(String.format(
                        Locale.ROOT,
                        "%d,%s,%s,%d,%d,%.3f,%.0f,%.1f,%.1f,%.1f,%.1f,%.2f,%.2f,%d\n",
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
                        c.errors()));
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
