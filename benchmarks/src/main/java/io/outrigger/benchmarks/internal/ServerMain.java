package io.outrigger.benchmarks.internal;

import io.outrigger.benchmarks.BenchmarkTarget;
import io.outrigger.benchmarks.RunningServer;
import io.outrigger.benchmarks.Targets;
import java.util.Set;

/**
 * The server JVM: starts one target's server and prints {@code READY port=<port> pid=<pid>}.
 * Exits on SIGTERM, when the orchestrator closes stdin, or after {@code --max-seconds}.
 */
public final class ServerMain {

    private ServerMain() {}

    public static void run(String[] args, int from) throws Exception {
        Args a = new Args(args, from, Set.of("target", "port", "max-seconds"), Set.of());
        BenchmarkTarget target = Targets.named(a.required("target"));
        Lifeline.watch(a.seconds("max-seconds", 3600));
        RunningServer server = target.startServer(a.intValue("port", 0, 0));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "server-shutdown"));
        System.out.println("READY port=" + server.port() + " pid="
                + ProcessHandle.current().pid());
        System.out.flush();
        Thread.currentThread().join();
    }
}
