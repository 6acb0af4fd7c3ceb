package io.outrigger.chaos;

import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.registry.ZooKeeperRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A provider in its own JVM, started by {@link ProviderProcess}: serves {@code test.EchoService} on
 * 127.0.0.1, registers in ZooKeeper, prints {@code PORT <n>}. Its stdin is the lifeline: the line
 * {@code shutdown} makes it shut down gracefully (printing {@code STOPPED <calls lost>}), and end of
 * file — the test JVM went away — makes it exit at once. It also exits after {@code maxSeconds}.
 * Each execution of the call that is not idempotent is written to {@code executions.log} in the
 * cache directory ({@link ExecutionLog}).
 *
 * <p>Arguments: {@code <zookeeper connect string> <cache directory> <maxSeconds>}.
 */
public final class ProviderMain {

    private ProviderMain() {}

    public static void main(String[] args) throws IOException {
        String connect = args[0];
        Path cache = Path.of(args[1]);
        long maxSeconds = Long.parseLong(args[2]);
        Thread timer = new Thread(
                () -> {
                    try {
                        Thread.sleep(maxSeconds * 1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.err.println("time limit of " + maxSeconds + " s reached, exiting");
                    Runtime.getRuntime().halt(3);
                },
                "time-limit");
        timer.setDaemon(true);
        timer.start();

        ZooKeeperRegistry registry = ZooKeepers.registry(connect, cache).build();
        RpcServer server = RpcServer.builder()
                .host("127.0.0.1")
                .announceHost("127.0.0.1")
                .service(EchoService.class, new ExecutionLog(ProviderProcess.executions(cache)))
                .registry(registry)
                .propagationDelay(Duration.ofSeconds(1))
                .drainTimeout(Duration.ofSeconds(5))
                .build()
                .start();
        System.out.println("PORT " + server.port());
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.equals("shutdown")) {
                int lost = server.shutdown();
                registry.close();
                System.out.println("STOPPED " + lost);
                System.out.flush();
                Runtime.getRuntime().halt(0);
            }
        }
        // The test JVM is gone (its end of the pipe closed): leave at once.
        System.err.println("stdin closed, exiting");
        Runtime.getRuntime().halt(2);
    }
}
