package io.outrigger.benchmarks.internal;

import io.outrigger.benchmarks.BenchmarkTarget;
import io.outrigger.benchmarks.Client;
import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.Targets;
import io.outrigger.benchmarks.Workload;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The client JVM: connects to one target, checks every workload's answer once, warms the JVM up,
 * then measures each cell ({@code workload:concurrency}) in turn and prints one
 * {@link CellResult} line per cell. CPU time is sampled for this process and the server process at
 * the start and the end of each measured period.
 */
public final class ClientMain {

    private ClientMain() {}

    private record Cell(Workload workload, int concurrency) {}

    public static void run(String[] args, int from) throws Exception {
        Args a = new Args(
                args,
                from,
                Set.of(
                        "target",
                        "host",
                        "port",
                        "server-pid",
                        "cells",
                        "jvm-warmup",
                        "warmup",
                        "measure",
                        "max-seconds"),
                Set.of());
        BenchmarkTarget target = Targets.named(a.required("target"));
        Lifeline.watch(a.seconds("max-seconds", 3600));
        long serverPid = Long.parseLong(a.required("server-pid"));
        long clientPid = ProcessHandle.current().pid();
        double jvmWarmup = a.seconds("jvm-warmup", 5);
        double warmup = a.seconds("warmup", 2);
        double measure = a.seconds("measure", 3);
        List<Cell> cells = new ArrayList<>();
        Set<Workload> workloads = new LinkedHashSet<>();
        for (String cell : Args.list(a.required("cells"))) {
            int colon = cell.indexOf(':');
            Workload workload = Workload.parse(cell.substring(0, colon));
            cells.add(new Cell(workload, Integer.parseInt(cell.substring(colon + 1))));
            workloads.add(workload);
        }

        ScheduledExecutorService retryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "retry-timer");
            t.setDaemon(true);
            return t;
        });
        Client client = target.connect(a.get("host", "127.0.0.1"), a.intValue("port", 0, 1));
        try {
            for (Workload workload : workloads) {
                SampleData.verify(workload, client.call(workload).get(30, TimeUnit.SECONDS));
            }
            log("connected to " + target.name() + ", every workload answers correctly");

            // Warm the JVM up on every workload so that the first cell is not the one paying for JIT.
            long perWorkload = (long) (jvmWarmup * 1000 / workloads.size());
            for (Workload workload : workloads) {
                ClosedLoop loop = new ClosedLoop(client, workload, 32, retryTimer);
                loop.start();
                Thread.sleep(perWorkload);
                stop(loop);
            }

            for (Cell cell : cells) {
                ClosedLoop loop = new ClosedLoop(client, cell.workload(), cell.concurrency(), retryTimer);
                loop.start();
                Thread.sleep((long) (warmup * 1000));
                loop.interval();
                long errors0 = loop.errors();
                long client0 = CpuTime.nanos(clientPid);
                long server0 = CpuTime.nanos(serverPid);
                long t0 = System.nanoTime();
                Thread.sleep((long) (measure * 1000));
                Histogram h = loop.interval();
                long t1 = System.nanoTime();
                long client1 = CpuTime.nanos(clientPid);
                long server1 = CpuTime.nanos(serverPid);
                long errors = loop.errors() - errors0;
                stop(loop);
                CellResult result = new CellResult(
                        cell.workload().label(),
                        cell.concurrency(),
                        h.getTotalCount(),
                        (t1 - t0) / 1e9,
                        h.getValueAtPercentile(50),
                        h.getValueAtPercentile(99),
                        h.getValueAtPercentile(99.9),
                        h.getMaxValue(),
                        client0 < 0 || client1 < 0 ? -1 : client1 - client0,
                        server0 < 0 || server1 < 0 ? -1 : server1 - server0,
                        errors);
                if (errors > 0) {
                    log("errors in " + cell + ", last: " + loop.lastError());
                }
                System.out.println(result.line());
                System.out.flush();
            }
        } finally {
            client.close();
        }
        Lifeline.exitSoon(0);
    }

    private static void stop(ClosedLoop loop) throws InterruptedException {
        if (!loop.stop(15_000)) {
            log("WARN calls still in flight 15 s after the loop stopped");
        }
    }

    private static void log(String message) {
        System.out.println("INFO " + message);
        System.out.flush();
    }
}
