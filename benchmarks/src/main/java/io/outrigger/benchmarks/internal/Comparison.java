package io.outrigger.benchmarks.internal;

import io.outrigger.benchmarks.BenchmarkTarget;
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
import java.util.List;
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
            "label");
    private static final Set<String> FLAGS = Set.of("quick");
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
    record Run(int round, String target, List<CellResult> cells) {}

    /** The parsed command line. */
    record Settings(
            List<String> targets,
            List<Workload> workloads,
            List<Integer> concurrency,
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

        int cells() {
            return workloads.size() * concurrency.size();
        }

        /** How long one client JVM may take before it is killed. */
        double clientSeconds() {
            return 60 + 1.5 * (jvmWarmup + cells() * (warmup + measure + 1));
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
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd-HHmm"));
        Settings settings = new Settings(
                Args.list(a.get("targets", String.join(",", Targets.names()))),
                Args.list(a.get("workloads", quick ? "getUser,echo1k" : "existUser,createUser,getUser,listUser,echo1k"))
                        .stream()
                        .map(Workload::parse)
                        .toList(),
                Args.list(a.get("concurrency", quick ? "32" : "32,128")).stream()
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
        long budget = (long) (settings.maxMinutes() * 60e9);
        List<String> targets = settings.targets();
        log(String.format(
                "%d round(s) x %d target(s) x %d cell(s); network: %s; logs in %s",
                settings.rounds(),
                targets.size(),
                settings.cells(),
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
                runPair(round, target);
            }
        }
        double minutes = (System.nanoTime() - start) / 60e9;
        Report report = new Report(settings, netns, runs, failures, minutes, javaVersion());
        Path md = settings.resultsDir().resolve(settings.label() + ".md");
        Path csv = settings.resultsDir().resolve(settings.label() + ".csv");
        Files.writeString(md, report.markdown());
        Files.writeString(csv, report.csv());
        System.out.println();
        System.out.println(report.summary());
        log(String.format("done in %.1f min; wrote %s and %s", minutes, md, csv));
    }

    private void runPair(int round, String targetName) throws Exception {
        BenchmarkTarget target = Targets.named(targetName);
        String tag = "round " + round + ", " + targetName;
        if (!netns && target.needsLoopbackNamespace()) {
            log(tag + ": no network namespace available; relying on the loopback check alone");
        }
        boolean isolated = netns;
        int port = isolated ? NAMESPACE_PORT : freeLoopbackPort();
        double maxSeconds = settings.clientSeconds() + 60;
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
        String prefix = String.format("r%d-%s", round, targetName);
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
                    cells(round),
                    "--jvm-warmup",
                    Double.toString(settings.jvmWarmup()),
                    "--warmup",
                    Double.toString(settings.warmup()),
                    "--measure",
                    Double.toString(settings.measure()),
                    "--max-seconds",
                    Double.toString(settings.clientSeconds())));
            try (Child client =
                    Child.start(prefix + "-client", clientCommand, workDir.resolve(prefix + "-client.log"))) {
                List<CellResult> cells = collect(client, server, serverPid, tag);
                runs.add(new Run(round, targetName, cells));
                if (cells.size() < settings.cells()) {
                    failures.add(tag + ": " + cells.size() + " of " + settings.cells() + " cells measured; see "
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

    private List<CellResult> collect(Child client, Child server, long serverPid, String tag)
            throws InterruptedException, IOException {
        List<CellResult> cells = new ArrayList<>();
        long deadline = System.nanoTime() + (long) (settings.clientSeconds() * 1e9);
        while (true) {
            String line = client.nextLine(deadline);
            if (line == null) {
                failures.add(tag + ": client still running after " + settings.clientSeconds() + " s; killed");
                log(failures.get(failures.size() - 1));
                return cells;
            }
            if (line == Child.END) {
                return cells;
            }
            if (line.startsWith("INFO connected to ")) {
                // Checked while the client is connected and warming up: its connections are surely open.
                String stray = LoopbackCheck.strayConnections(
                        netns ? serverPid : -1, List.of(client.pid(), server.pid(), serverPid));
                if (!stray.isEmpty()) {
                    failures.add(tag + ": connections off loopback, run discarded:\n" + stray);
                    log(failures.get(failures.size() - 1));
                    client.close();
                    return List.of();
                }
            }
            if (line.startsWith(CellResult.PREFIX)) {
                CellResult cell = CellResult.parse(line);
                cells.add(cell);
                log(String.format(
                        "%s: %s x%d: %,.0f calls/s, p50 %.0f us, p99 %.0f us, %.1f us CPU/call%s",
                        tag,
                        cell.workload(),
                        cell.concurrency(),
                        cell.callsPerSecond(),
                        cell.p50Nanos() / 1e3,
                        cell.p99Nanos() / 1e3,
                        cell.cpuMicrosPerCall(),
                        cell.errors() > 0 ? ", " + cell.errors() + " errors" : ""));
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
        for (Workload workload : settings.workloads()) {
            for (int concurrency : settings.concurrency()) {
                cells.add(workload.label() + ":" + concurrency);
            }
        }
        Collections.rotate(cells, -((round - 1) * cells.size() / settings.rounds()));
        return String.join(",", cells);
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
