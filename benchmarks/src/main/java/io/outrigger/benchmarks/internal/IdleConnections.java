package io.outrigger.benchmarks.internal;

import io.outrigger.benchmarks.BenchmarkTarget;
import io.outrigger.benchmarks.Client;
import io.outrigger.benchmarks.Workload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The idle-connections cell, run in the client JVM against a fresh server: what holding N
 * connections that carry no calls costs the server in memory.
 *
 * <ol>
 *   <li>Open N connections, make one {@code existUser} call on each, close them: a warm-up, so that
 *       the classes, JIT-compiled code, buffer pools and heap pages the first connections need are
 *       already in the "before" reading instead of being counted per connection.
 *   <li>Let the server notice the closes, collect its garbage, read its RSS and live heap.
 *   <li>Open N connections again, one call each, count those established with {@code ss}.
 *   <li>Read the server's memory again, then close them.
 * </ol>
 */
final class IdleConnections {

    private static final long SETTLE_MILLIS = 2_000;

    private IdleConnections() {}

    static MemoryResult measure(
            BenchmarkTarget target, String host, int port, int connections, long serverPid, Consumer<String> log)
            throws Exception {
        long errors = 0;
        try (Client warmUp = target.connect(host, port, connections)) {
            errors += oneCallEach(warmUp, connections);
        }
        Thread.sleep(SETTLE_MILLIS);
        ServerMemory.Sample before = ServerMemory.sample(serverPid);

        try (Client idle = target.connect(host, port, connections)) {
            errors += oneCallEach(idle, connections);
            int established = establishedTo(port);
            // The orchestrator checks with ss that these are on loopback while it sees this line.
            log.accept("connected to " + target.name() + " with " + established + " idle connections");
            Thread.sleep(SETTLE_MILLIS);
            ServerMemory.Sample after = ServerMemory.sample(serverPid);
            return new MemoryResult(
                    connections,
                    established,
                    before.rssBytes(),
                    after.rssBytes(),
                    before.heapUsedBytes(),
                    after.heapUsedBytes(),
                    errors);
        }
    }

    /** One call per connection (the client spreads calls over its connections); returns the failures. */
    private static long oneCallEach(Client client, int connections) throws InterruptedException {
        List<CompletableFuture<?>> calls = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            calls.add(client.call(Workload.EXIST_USER));
        }
        long failed = 0;
        for (CompletableFuture<?> call : calls) {
            try {
                call.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                failed++;
            }
        }
        return failed;
    }

    /** Established TCP connections in this network namespace whose remote port is {@code port}. */
    static int establishedTo(int port) throws IOException, InterruptedException {
        Process ss = new ProcessBuilder("ss", "-tnH", "state", "established", "( dport = :" + port + " )")
                .redirectErrorStream(true)
                .start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ss.waitFor(10, TimeUnit.SECONDS) || ss.exitValue() != 0) {
            return -1;
        }
        return (int) out.lines().filter(line -> !line.isBlank()).count();
    }
}
