package io.outrigger.benchmarks.internal;

import io.outrigger.benchmarks.BenchmarkTarget;
import io.outrigger.benchmarks.Client;
import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.StreamClient;
import io.outrigger.benchmarks.StreamWorkload;
import io.outrigger.benchmarks.Targets;
import io.outrigger.benchmarks.Workload;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The client JVM: connects to one target, checks every workload's answer once, warms the JVM up,
 * then measures each {@link CellSpec} in turn and prints one {@link CellResult} line per cell (one
 * {@link MemoryResult} line for an idle-connections cell). CPU time is sampled for this process
 * and the server process at the start and the end of each measured period.
 *
 * <p>A cell with several connections opens them just before it and closes them after it; the main
 * connection stays open for the other cells. An open-loop cell given as a percentage takes the
 * highest calls/s of a one-connection closed-loop cell of the same workload measured before it in
 * this JVM (the orchestrator puts open-loop cells after closed ones). An idle-connections cell
 * closes the main connection first (it comes last), so the server holds only the idle ones. A
 * streaming cell runs on a streaming client of its own ({@link BenchmarkTarget#connectStreams});
 * with only streaming cells, no unary connection is opened.
 */
public final class ClientMain {

    private ClientMain() {}

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
        String host = a.get("host", "127.0.0.1");
        int port = a.intValue("port", 0, 1);
        long serverPid = Long.parseLong(a.required("server-pid"));
        Measurement measurement = new Measurement(
                ProcessHandle.current().pid(), serverPid, a.seconds("warmup", 2), a.seconds("measure", 3));
        double jvmWarmup = a.seconds("jvm-warmup", 5);
        List<CellSpec> cells = new ArrayList<>();
        Set<Workload> workloads = new LinkedHashSet<>();
        Set<StreamWorkload> streamWorkloads = new LinkedHashSet<>();
        boolean idle = false;
        for (String cell : Args.list(a.required("cells"))) {
            CellSpec spec = CellSpec.parse(cell);
            cells.add(spec);
            if (spec.workload() != null) {
                workloads.add(spec.workload());
            }
            if (spec.stream() != null) {
                streamWorkloads.add(spec.stream());
            }
            idle |= spec.kind() == CellSpec.Kind.IDLE;
        }
        if (workloads.isEmpty() && idle) {
            workloads.add(Workload.EXIST_USER); // the idle cell's one call per connection
        }

        ScheduledExecutorService retryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "retry-timer");
            t.setDaemon(true);
            return t;
        });
        // Only streaming cells: no unary connection, so the server holds nothing but the streams'.
        Client client = workloads.isEmpty() ? null : target.connect(host, port);
        boolean clientOpen = client != null;
        StreamClient streams = null;
        String streamsRefused = "";
        try {
            for (Workload workload : workloads) {
                SampleData.verify(workload, client.call(workload).get(30, TimeUnit.SECONDS));
            }
            if (!streamWorkloads.isEmpty()) {
                try {
                    streams = target.connectStreams(host, port);
                    for (StreamWorkload workload : streamWorkloads) {
                        StreamLoop.verify(streams, workload);
                    }
                } catch (UnsupportedOperationException e) {
                    streamsRefused = "skipped: " + e.getMessage();
                }
            }
            log("connected to " + target.name() + ", every workload answers correctly");

            // Warm the JVM up on every workload so that the first cell is not the one paying for JIT.
            int warmed = workloads.size() + (streams == null ? 0 : streamWorkloads.size());
            long perWorkload = warmed == 0 ? 0 : (long) (jvmWarmup * 1000 / warmed);
            for (Workload workload : workloads) {
                ClosedLoop loop = new ClosedLoop(client, workload, 32, retryTimer);
                loop.start();
                Thread.sleep(perWorkload);
                stop(loop);
            }
            if (streams != null) {
                for (StreamWorkload workload : streamWorkloads) {
                    StreamLoop loop = new StreamLoop(streams, workload, 1, retryTimer);
                    loop.start();
                    Thread.sleep(perWorkload);
                    stop(loop);
                }
            }

            Map<Workload, Double> maxCallsPerSecond = new EnumMap<>(Workload.class);
            for (CellSpec cell : cells) {
                switch (cell.kind()) {
                    case CLOSED -> {
                        CellResult result = closed(target, host, port, client, cell, measurement, retryTimer);
                        if (cell.connections() == 1 && result.calls() > 0) {
                            maxCallsPerSecond.merge(cell.workload(), result.callsPerSecond(), Math::max);
                        }
                        print(result.line());
                    }
                    case OPEN -> {
                        Double max = maxCallsPerSecond.get(cell.workload());
                        double rate = Double.isNaN(cell.ratePercent())
                                ? cell.rate()
                                : max == null ? Double.NaN : max * cell.ratePercent() / 100;
                        print(
                                Double.isNaN(rate)
                                        ? CellResult.unmeasured(
                                                        cell,
                                                        "skipped: no closed-loop cell of "
                                                                + cell.workload()
                                                                        .label() + " on one connection measured first")
                                                .line()
                                        : measurement.open(client, cell, rate).line());
                    }
                    case STREAM ->
                        print(
                                streams == null
                                        ? CellResult.unmeasured(cell, streamsRefused)
                                                .line()
                                        : measurement.stream(streams, cell, retryTimer)
                                                .line());
                    case IDLE -> {
                        if (clientOpen) {
                            client.close();
                            clientOpen = false;
                        }
                        try {
                            print(IdleConnections.measure(
                                            target, host, port, cell.connections(), serverPid, ClientMain::log)
                                    .line());
                        } catch (UnsupportedOperationException e) {
                            print(CellResult.unmeasured(cell, "skipped: " + e.getMessage())
                                    .line());
                        }
                    }
                }
            }
        } finally {
            if (clientOpen) {
                client.close();
            }
            if (streams != null) {
                streams.close();
            }
        }
        Lifeline.exitSoon(0);
    }

    private static CellResult closed(
            BenchmarkTarget target,
            String host,
            int port,
            Client main,
            CellSpec cell,
            Measurement measurement,
            ScheduledExecutorService retryTimer)
            throws InterruptedException {
        if (cell.connections() == 1) {
            return measurement.closed(main, cell, retryTimer);
        }
        // The connections already open (the main one) are left out of the cell's spread.
        Set<String> before = ConnectionSpread.sockets(port).keySet();
        Client client;
        try {
            client = target.connect(host, port, cell.connections());
        } catch (UnsupportedOperationException e) {
            return CellResult.unmeasured(cell, "skipped: " + e.getMessage());
        } catch (Exception e) {
            log("cannot open " + cell.connections() + " connections: " + e);
            return CellResult.unmeasured(cell, "refused: " + e);
        }
        try {
            SampleData.verify(cell.workload(), client.call(cell.workload()).get(30, TimeUnit.SECONDS));
            log("connected to " + target.name() + " with " + cell.connections() + " connections");
            CellResult result = measurement.closed(client, cell, retryTimer);
            Map<String, Long> sockets = ConnectionSpread.sockets(port);
            if (sockets.isEmpty() || result.calls() == 0) {
                return result;
            }
            ConnectionSpread spread = ConnectionSpread.of(sockets, before);
            log(cell.text() + ": " + spread.describe());
            return result.withNote(spread.describe());
        } catch (Exception e) {
            log("cannot call over " + cell.connections() + " connections: " + e);
            return CellResult.unmeasured(cell, "refused: " + e);
        } finally {
            client.close();
        }
    }

    /** Measures loops: warm-up, then CPU time of both processes and the latencies over the measured period. */
    private record Measurement(long clientPid, long serverPid, double warmup, double measure) {

        CellResult closed(Client client, CellSpec cell, ScheduledExecutorService retryTimer)
                throws InterruptedException {
            ClosedLoop loop = new ClosedLoop(client, cell.workload(), cell.concurrency(), retryTimer);
            loop.start();
            Thread.sleep((long) (warmup * 1000));
            loop.interval();
            long errors0 = loop.errors();
            Period period = Period.begin(this);
            Thread.sleep((long) (measure * 1000));
            Histogram h = loop.interval();
            period.end();
            long errors = loop.errors() - errors0;
            stop(loop);
            if (errors > 0) {
                log("errors in " + cell.text() + ", last: " + loop.lastError());
            }
            return period.result(cell, 0, h, errors, refusal(h, errors, loop.lastError()));
        }

        CellResult stream(StreamClient client, CellSpec cell, ScheduledExecutorService retryTimer)
                throws InterruptedException {
            StreamLoop loop = new StreamLoop(client, cell.stream(), cell.concurrency(), retryTimer);
            loop.start();
            Thread.sleep((long) (warmup * 1000));
            loop.interval();
            long errors0 = loop.errors();
            long counted0 = loop.counted();
            Period period = Period.begin(this);
            Thread.sleep((long) (measure * 1000));
            long counted = loop.counted() - counted0;
            Histogram h = loop.interval();
            period.end();
            long errors = loop.errors() - errors0;
            stop(loop);
            if (errors > 0) {
                log("errors in " + cell.text() + ", last: " + loop.lastError());
            }
            String note = counted == 0 && errors > 0 ? "refused: every stream failed, last: " + loop.lastError() : "";
            return period.result(cell, 0, counted, h, errors, note);
        }

        CellResult open(Client client, CellSpec cell, double rate) throws InterruptedException {
            OpenLoop loop = new OpenLoop(client, cell.workload(), rate, cell.concurrency(), System::nanoTime);
            loop.start();
            Thread.sleep((long) (warmup * 1000));
            loop.interval();
            long errors0 = loop.errors();
            Period period = Period.begin(this);
            Thread.sleep((long) (measure * 1000));
            Histogram h = loop.interval();
            period.end();
            long errors = loop.errors() - errors0;
            if (!loop.stop(15_000)) {
                log("WARN calls still in flight 15 s after the open loop stopped");
            }
            if (errors > 0) {
                log("errors in " + cell.text() + ", last: " + loop.lastError());
            }
            return period.result(cell, rate, h, errors, refusal(h, errors, loop.lastError()));
        }

        private static String refusal(Histogram h, long errors, Throwable lastError) {
            return h.getTotalCount() == 0 && errors > 0 ? "refused: every call failed, last: " + lastError : "";
        }
    }

    /** CPU time of both processes and wall time between {@link #begin} and {@link #end}. */
    private static final class Period {
        private final Measurement m;
        private final long client0;
        private final long server0;
        private final long t0;
        private long client1;
        private long server1;
        private long t1;

        private Period(Measurement m) {
            this.m = m;
            this.client0 = CpuTime.nanos(m.clientPid());
            this.server0 = CpuTime.nanos(m.serverPid());
            this.t0 = System.nanoTime();
        }

        static Period begin(Measurement m) {
            return new Period(m);
        }

        void end() {
            t1 = System.nanoTime();
            client1 = CpuTime.nanos(m.clientPid());
            server1 = CpuTime.nanos(m.serverPid());
        }

        CellResult result(CellSpec cell, double offered, Histogram h, long errors, String note) {
            return result(cell, offered, h.getTotalCount(), h, errors, note);
        }

        /** A result counting {@code count} calls, messages or chunks, with the latencies in {@code h}. */
        CellResult result(CellSpec cell, double offered, long count, Histogram h, long errors, String note) {
            return new CellResult(
                    cell.text(),
                    cell.workloadLabel(),
                    cell.concurrency(),
                    cell.connections(),
                    offered,
                    count,
                    (t1 - t0) / 1e9,
                    h.getValueAtPercentile(50),
                    h.getValueAtPercentile(99),
                    h.getValueAtPercentile(99.9),
                    h.getMaxValue(),
                    client0 < 0 || client1 < 0 ? -1 : client1 - client0,
                    server0 < 0 || server1 < 0 ? -1 : server1 - server0,
                    errors,
                    note);
        }
    }

    private static void stop(ClosedLoop loop) throws InterruptedException {
        if (!loop.stop(15_000)) {
            log("WARN calls still in flight 15 s after the loop stopped");
        }
    }

    private static void stop(StreamLoop loop) throws InterruptedException {
        if (!loop.stop(15_000)) {
            log("WARN streams still open 15 s after they were cancelled or ended");
        }
    }

    private static void print(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void log(String message) {
        System.out.println("INFO " + message);
        System.out.flush();
    }
}
