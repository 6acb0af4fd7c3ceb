package io.outrigger.benchmarks.internal;

import io.outrigger.benchmarks.BenchmarkTarget;
import io.outrigger.benchmarks.StreamWorkload;
import io.outrigger.benchmarks.Targets;
import io.outrigger.benchmarks.Workload;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The orchestrator: for each round, for each target (the order rotates every round), starts a
 * server JVM and a client JVM on 127.0.0.1, collects the client's {@link CellResult}s and stops
 * both. Rounds interleave targets (A B C, B C A, ...) so that drift (thermal, noisy neighbours)
 * hits every target alike; the report takes medians over rounds.
 *
 * <p>When {@code unshare -n} works (root on Linux), every pair runs in its own network namespace:
 * the server under {@code unshare -n}, the client joining it with {@code nsenter}. Nothing in it
 * reaches another machine, whatever a peer decides to connect to; running every target the same
 * way keeps the comparison fair. With or without namespaces, {@code ss} checks during every run
 * that each connection of the pair is between loopback addresses, or the run is discarded.
 */
public final class Comparison {

    private static final Set<String> OPTIONS = Set.of(
            "targets",
            "workloads",
            "concurrency",
            "rounds",
            "jvm-warmup",
            "warmup",
            "measure",
            "netns",
            "results-dir",
            "work-dir",
            "java",
            "jvm-args",
            "max-minutes",
            "label",
            "connections",
            "payloads",
            "payload-concurrency",
            "open-loop",
            "rate",
            "idle-connections",
            "streams",
            "stream-counts");
    private static final Set<String> FLAGS = Set.of("quick", "scaling");
    private static final int NAMESPACE_PORT = 20880;

    /**
     * Sets up a fresh network namespace: loopback up, plus a veth pair whose ends both stay inside
     * the namespace, with a documentation address (TEST-NET-1) that routes nowhere. Without a
     * non-loopback interface, Dubbo 3.3 fails to find a "host address", looks for one again on
     * every call and logs two stack traces per call, which would measure the namespace, not Dubbo.
     */
    private static final String NAMESPACE_SETUP = "ip link set lo up"
            + " && ip link add bench0 type veth peer name bench1"
            + " && ip addr add 192.0.2.1/32 dev bench0"
            + " && ip link set bench0 up && ip link set bench1 up";

    private static final List<String> CHILD_JVM_ARGS = List.of(
            "-Xms1g",
            "-Xmx1g",
            "-Dio.netty.leakDetection.level=disabled",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-Ddubbo.application.logger=slf4j",
            "--enable-native-access=ALL-UNNAMED");

    private final Settings settings;
    private final Path workDir;
    private final boolean netns;
    private final List<Run> runs = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();

    /** What one client JVM reported, or why it did not. */
    record Run(int round, String target, List<CellResult> cells, List<MemoryResult> memory) {}

    /** The parsed command line. */
    record Settings(
            List<String> targets,
            List<Workload> workloads,
            List<Integer> concurrency,
            List<Integer> connections,
            List<Workload> payloads,
            int payloadConcurrency,
            List<Double> openLoopPercents,
            List<Double> openLoopRates,
            int idleConnections,
            List<StreamWorkload> streams,
            List<Integer> streamCounts,
            int rounds,
            double jvmWarmup,
            double warmup,
            double measure,
            String netnsMode,
            Path resultsDir,
            Path workDir,
            String java,
            List<String> extraJvmArgs,
            double maxMinutes,
            String label,
            String commandLine) {

        /**
         * The closed-loop cells: every workload at every concurrency on one connection; the same
         * over each further connection count no larger than the concurrency; each payload's echo at
         * {@code payloadConcurrency} in flight. Without duplicates, in that order.
         */
        List<CellSpec> closedCells() {
            Set<CellSpec> cells = new LinkedHashSet<>();
            for (Workload workload : workloads) {
                for (int c : concurrency) {
                    cells.add(CellSpec.closed(workload, c, 1));
                }
            }
            for (Workload workload : workloads) {
                for (int c : concurrency) {
                    for (int n : connections) {
                        if (n > 1 && n <= c) {
                            cells.add(CellSpec.closed(workload, c, n));
                        }
                    }
                }
            }
            for (Workload payload : payloads) {
                cells.add(CellSpec.closed(payload, payloadConcurrency, 1));
            }
            return new ArrayList<>(cells);
        }

        /** The open-loop cells: every workload at each rate, after the closed cells they take the maximum from. */
        List<CellSpec> openCells() {
            List<CellSpec> cells = new ArrayList<>();
            for (Workload workload : workloads) {
                for (double percent : openLoopPercents) {
                    cells.add(CellSpec.openPercent(workload, percent));
                }
                for (double rate : openLoopRates) {
                    cells.add(CellSpec.openRate(workload, rate));
                }
            }
            return cells;
        }

        /**
         * The streaming cells: each server-streaming workload at every stream count, the ping-pong and
         * the upload on one stream each.
         */
        List<CellSpec> streamCells() {
            List<CellSpec> cells = new ArrayList<>();
            for (StreamWorkload stream : streams) {
                if (stream.isServerStreaming()) {
                    for (int n : streamCounts) {
                        cells.add(CellSpec.stream(stream, n));
                    }
                } else {
                    cells.add(CellSpec.stream(stream, 1));
                }
            }
            return cells;
        }

        /** Cells measured by one client JVM against one server (the idle cell gets a server of its own). */
        int loadCells() {
            return closedCells().size() + streamCells().size() + openCells().size();
        }

        /** How long one client JVM may take before it is killed. */
        double clientSeconds() {
            return 60 + 1.5 * (jvmWarmup + loadCells() * (warmup + measure + 1));
        }

        /** How long the idle-connections client JVM may take: two rounds of connecting, four GCs. */
        double idleClientSeconds() {
            return 180 + idleConnections * 0.05;
        }
    }

    private Comparison(Settings settings, Path workDir, boolean netns) {
        this.settings = settings;
        this.workDir = workDir;
        this.netns = netns;
    }

    public static void run(String[] args, int from) throws Exception {
        Args a = new Args(args, from, OPTIONS, FLAGS);
        boolean quick = a.has("quick");
        boolean scaling = a.has("scaling");
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm"));
        Settings settings = new Settings(
                Args.list(a.get("targets", String.join(",", Targets.names()))),
                workloads(a.get(
                        "workloads",
                        scaling
                                ? "getUser"
                                : quick ? "getUser,echo1k" : "existUser,createUser,getUser,listUser,echo1k")),
                Args.list(a.get("concurrency", scaling ? "1,32,128,1024" : quick ? "32" : "32,128")).stream()
                        .map(Integer::parseInt)
                        .toList(),
                Args.list(a.get("connections", scaling ? "1,4,64" : "1")).stream()
                        .map(Integer::parseInt)
                        .toList(),
                Args.list(a.get("payloads", scaling ? "1k,64k,1m" : "")).stream()
                        .map(Comparison::payload)
                        .toList(),
                a.intValue("payload-concurrency", 32, 1),
                Args.list(a.get("open-loop", scaling ? "50,80" : "")).stream()
                        .map(Double::parseDouble)
                        .toList(),
                Args.list(a.get("rate", "")).stream().map(Double::parseDouble).toList(),
                a.intValue("idle-connections", scaling ? 1000 : 0, 0),
                Args.list(a.get("streams", "")).stream()
                        .map(StreamWorkload::parse)
                        .toList(),
                Args.list(a.get("stream-counts", "1,8")).stream()
                        .map(Integer::parseInt)
                        .toList(),
                a.intValue("rounds", quick ? 1 : 3, 1),
                a.seconds("jvm-warmup", quick ? 5 : 12),
                a.seconds("warmup", 1),
                a.seconds("measure", 2),
                a.get("netns", "auto"),
                Path.of(a.get("results-dir", "benchmarks/results")),
                Path.of(a.get("work-dir", "benchmarks/work")).resolve(stamp),
                a.get(
                        "java",
                        Path.of(System.getProperty("java.home"), "bin", "java").toString()),
                Args.list(a.get("jvm-args", "").replace(' ', ',')),
                a.seconds("max-minutes", 30),
                a.get("label", stamp),
                String.join(" ", Arrays.copyOfRange(args, from, args.length)));
        for (String target : settings.targets()) {
            Targets.named(target); // fail fast on a typo
        }
        for (int c : settings.concurrency()) {
            if (c < 1) {
                throw new IllegalArgumentException("--concurrency: " + c + " (expected: >= 1)");
            }
        }
        for (int n : settings.connections()) {
            if (n < 1 || n > 1024) {
                throw new IllegalArgumentException("--connections: " + n + " (expected: 1..1024)");
            }
        }
        for (int n : settings.streamCounts()) {
            if (n < 1 || n > 1024) {
                throw new IllegalArgumentException("--stream-counts: " + n + " (expected: 1..1024)");
            }
        }
        for (double p : settings.openLoopPercents()) {
            if (!(p > 0 && p <= 1000)) {
                throw new IllegalArgumentException("--open-loop: " + p + " (expected: a percentage > 0)");
            }
        }
        for (double r : settings.openLoopRates()) {
            if (!(r > 0 && r <= 1e9)) {
                throw new IllegalArgumentException("--rate: " + r + " (expected: calls/s > 0)");
            }
        }
        if (settings.loadCells() == 0 && settings.idleConnections() == 0) {
            throw new IllegalArgumentException("nothing to measure: no workload, payload, stream or idle connections");
        }
        boolean netns = switch (settings.netnsMode()) {
            case "on" -> true;
            case "off" -> false;
            case "auto" -> namespacesWork();
            default ->
                throw new IllegalArgumentException("--netns: " + settings.netnsMode() + " (expected: auto, on or off)");
        };
        Files.createDirectories(settings.workDir());
        Files.createDirectories(settings.resultsDir());
        new Comparison(settings, settings.workDir(), netns).compare();
    }

    private void compare() throws Exception {
        long start = System.nanoTime();
        String loadBefore = Report.loadAverage();
        long budget = (long) (settings.maxMinutes() * 60e9);
        List<String> targets = settings.targets();
        log(String.format(
                "%d round(s) x %d target(s) x %d cell(s)%s; network: %s; logs in %s",
                settings.rounds(),
                targets.size(),
                settings.loadCells(),
                settings.idleConnections() > 0 ? " + " + settings.idleConnections() + " idle connections" : "",
                netns ? "one network namespace per server/client pair" : "host loopback",
                workDir));
        outer:
        for (int round = 1; round <= settings.rounds(); round++) {
            for (int i = 0; i < targets.size(); i++) {
                if (System.nanoTime() - start > budget) {
                    failures.add("time budget of " + settings.maxMinutes() + " min used up before round " + round
                            + " finished; later runs skipped");
                    break outer;
                }
                // Rotate the order every round so that no target always runs first or last.
                String target = targets.get((i + round - 1) % targets.size());
                if (settings.loadCells() > 0) {
                    runPair(
                            round,
                            target,
                            cells(round),
                            settings.loadCells(),
                            settings.jvmWarmup(),
                            settings.clientSeconds());
                }
                if (settings.idleConnections() > 0) {
                    // A fresh server, so that load measured before does not hide in its "before" reading.
                    runPair(
                            round,
                            target,
                            CellSpec.idle(settings.idleConnections()).text(),
                            1,
                            0,
                            settings.idleClientSeconds());
                }
            }
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        Report report = new Report(settings, netns, runs, failures, minutes, javaVersion(), loadBefore);
        Path md = settings.resultsDir().resolve(settings.label() + ".md");
        Path csv = settings.resultsDir().resolve(settings.label() + ".csv");
        Files.writeString(md, report.markdown());
        Files.writeString(csv, report.csv());
        System.out.println();
        System.out.println(report.summary());
        log(String.format("done in %.1f min; wrote %s and %s", minutes, md, csv));
    }

    private void runPair(
            int round, String targetName, String cells, int expectedCells, double jvmWarmup, double clientSeconds)
            throws Exception {
        BenchmarkTarget target = Targets.named(targetName);
        String tag = "round " + round + ", " + targetName;
        if (!netns && target.needsLoopbackNamespace()) {
            log(tag + ": no network namespace available; relying on the loopback check alone");
        }
        boolean isolated = netns;
        int port = isolated ? NAMESPACE_PORT : freeLoopbackPort();
        double maxSeconds = clientSeconds + 60;
        List<String> jvm = new ArrayList<>();
        jvm.add(settings.java());
        jvm.addAll(CHILD_JVM_ARGS);
        jvm.addAll(settings.extraJvmArgs());
        jvm.add("-cp");
        jvm.add(System.getProperty("java.class.path"));
        jvm.add("io.outrigger.benchmarks.Main");

        List<String> serverCommand = new ArrayList<>();
        if (isolated) {
            serverCommand.addAll(
                    List.of("unshare", "-n", "--", "sh", "-c", NAMESPACE_SETUP + " && exec \"$0\" \"$@\""));
        }
        serverCommand.addAll(jvm);
        serverCommand.addAll(List.of(
                "server",
                "--target",
                targetName,
                "--port",
                Integer.toString(port),
                "--max-seconds",
                Double.toString(maxSeconds)));
        String prefix = String.format("r%d-%s%s", round, targetName, cells.startsWith("idle:") ? "-idle" : "");
        log(tag + ": starting server");
        try (Child server = Child.start(prefix + "-server", serverCommand, workDir.resolve(prefix + "-server.log"))) {
            long serverPid = awaitReady(server, tag);
            if (serverPid < 0) {
                return;
            }
            List<String> clientCommand = new ArrayList<>();
            if (isolated) {
                clientCommand.addAll(List.of("nsenter", "--net=/proc/" + serverPid + "/ns/net", "--"));
            }
            clientCommand.addAll(jvm);
            clientCommand.addAll(List.of(
                    "client",
                    "--target",
                    targetName,
                    "--port",
                    Integer.toString(port),
                    "--server-pid",
                    Long.toString(serverPid),
                    "--cells",
                    cells,
                    "--jvm-warmup",
                    Double.toString(jvmWarmup),
                    "--warmup",
                    Double.toString(settings.warmup()),
                    "--measure",
                    Double.toString(settings.measure()),
                    "--max-seconds",
                    Double.toString(clientSeconds)));
            try (Child client =
                    Child.start(prefix + "-client", clientCommand, workDir.resolve(prefix + "-client.log"))) {
                Run run = collect(round, targetName, client, server, serverPid, tag, clientSeconds);
                runs.add(run);
                int measured = run.cells().size() + run.memory().size();
                if (measured < expectedCells) {
                    failures.add(tag + ": " + measured + " of " + expectedCells + " cells measured; see "
                            + workDir.resolve(prefix + "-client.log"));
                }
                client.waitFor(15_000);
            }
        }
    }

    private long awaitReady(Child server, String tag) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            String line = server.nextLine(deadline);
            if (line == null || line == Child.END) {
                failures.add(tag + ": server " + (line == null ? "not ready after 90 s" : "exited before it was ready")
                        + "; see " + workDir.resolve(server.name() + ".log"));
                log(failures.get(failures.size() - 1));
                return -1;
            }
            if (line.startsWith("READY ")) {
                for (String part : line.split(" ")) {
                    if (part.startsWith("pid=")) {
                        return Long.parseLong(part.substring(4));
                    }
                }
                return server.pid();
            }
        }
    }

    private Run collect(
            int round, String target, Child client, Child server, long serverPid, String tag, double clientSeconds)
            throws InterruptedException, IOException {
        List<CellResult> cells = new ArrayList<>();
        List<MemoryResult> memory = new ArrayList<>();
        long deadline = System.nanoTime() + (long) (clientSeconds * 1e9);
        while (true) {
            String line = client.nextLine(deadline);
            if (line == null) {
                failures.add(tag + ": client still running after " + clientSeconds + " s; killed");
                log(failures.get(failures.size() - 1));
                return new Run(round, target, cells, memory);
            }
            if (line == Child.END) {
                return new Run(round, target, cells, memory);
            }
            if (line.startsWith("INFO connected to ")) {
                // Checked while the client is connected and warming up: its connections are surely open.
                String stray = LoopbackCheck.strayConnections(
                        netns ? serverPid : -1, List.of(client.pid(), server.pid(), serverPid));
                if (!stray.isEmpty()) {
                    failures.add(tag + ": connections off loopback, run discarded:\n" + stray);
                    log(failures.get(failures.size() - 1));
                    client.close();
                    return new Run(round, target, List.of(), List.of());
                }
            }
            if (line.startsWith(MemoryResult.PREFIX)) {
                MemoryResult m = MemoryResult.parse(line);
                memory.add(m);
                log(String.format(
                        "%s: %d idle connections: RSS %+.1f KiB/connection, heap %+.1f KiB/connection%s",
                        tag,
                        m.established(),
                        m.rssKibPerConnection(),
                        m.heapKibPerConnection(),
                        m.errors() > 0 ? ", " + m.errors() + " calls failed" : ""));
            }
            if (line.startsWith(CellResult.PREFIX)) {
                CellResult cell = CellResult.parse(line);
                cells.add(cell);
                CellSpec spec = CellSpec.parse(cell.cell());
                boolean stream = spec.kind() == CellSpec.Kind.STREAM;
                log(String.format(
                        "%s: %s: %,.0f %s/s, p50 %.0f us, p99 %.0f us, %.1f us CPU/%s%s%s",
                        tag,
                        spec.title(),
                        cell.callsPerSecond(),
                        stream ? Report.units(spec.stream()) : "calls",
                        cell.p50Nanos() / 1e3,
                        cell.p99Nanos() / 1e3,
                        cell.cpuMicrosPerCall(),
                        stream ? Report.unit(spec.stream()) : "call",
                        cell.errors() > 0 ? ", " + cell.errors() + " errors" : "",
                        cell.note().isEmpty() ? "" : ", " + cell.note()));
            } else if (line.startsWith("INFO ") || line.startsWith("WARN")) {
                log(tag + ": " + line.substring(line.indexOf(' ') + 1));
            }
        }
    }

    /**
     * The cells for one client JVM. The order rotates with the round: the first cells after JVM
     * warm-up can still meet the JIT at work (two cores, both busy with load), and rotating makes
     * that hit a different cell in each round, where the median over rounds discards it.
     */
    private String cells(int round) {
        List<String> cells = new ArrayList<>();
        for (CellSpec cell : settings.closedCells()) {
            cells.add(cell.text());
        }
        for (CellSpec cell : settings.streamCells()) {
            cells.add(cell.text());
        }
        Collections.rotate(cells, -((round - 1) * cells.size() / settings.rounds()));
        // Open loops last: each takes its rate from the closed-loop cells measured before it.
        for (CellSpec cell : settings.openCells()) {
            cells.add(cell.text());
        }
        return String.join(",", cells);
    }

    private static List<Workload> workloads(String list) {
        return list.equals("none")
                ? List.of()
                : Args.list(list).stream().map(Workload::parse).toList();
    }

    /** {@code 1k}, {@code 64k} or {@code 1m} (or a number of bytes) to its echo workload. */
    static Workload payload(String size) {
        String s = size.toLowerCase(Locale.ROOT);
        int bytes = s.endsWith("k")
                ? Integer.parseInt(s.substring(0, s.length() - 1)) * 1024
                : s.endsWith("m")
                        ? Integer.parseInt(s.substring(0, s.length() - 1)) * 1024 * 1024
                        : Integer.parseInt(s);
        return Workload.echoOf(bytes);
    }

    private static boolean namespacesWork() {
        try {
            Process p = new ProcessBuilder(
                            "unshare", "-n", "--", "sh", "-c", NAMESPACE_SETUP + " && command -v nsenter ss")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private String javaVersion() {
        try {
            Process p = new ProcessBuilder(settings.java(), "-version")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor(10, TimeUnit.SECONDS);
            String[] lines = out.split("\n");
            return lines.length > 1 ? lines[1].trim() : out;
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    private static void log(String message) {
        System.out.println("[" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")) + "] " + message);
        System.out.flush();
    }
}
