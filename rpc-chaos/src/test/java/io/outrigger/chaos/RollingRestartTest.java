package io.outrigger.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.testing.EchoService;
import io.outrigger.registry.ZooKeeperRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 2: three providers, each its own JVM, are restarted one after the other under load: the
 * old one shuts down gracefully (unregister, propagation delay, GOAWAY, drain), then a new one
 * starts and the client sees it before the next step. No call may fail, idempotent or not, and no
 * provider may leave a call unanswered.
 */
class RollingRestartTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }

    @Test
    void rollingRestartOfThreeProvidersWithGracefulShutdown() throws Exception {
        TestingServer zk = track(ZooKeepers.server());
        List<CompletableFuture<ProviderProcess>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            starting.add(start("rolling-provider-" + i, zk));
        }
        List<ProviderProcess> providers = new ArrayList<>();
        for (CompletableFuture<ProviderProcess> f : starting) {
            providers.add(track(f.get(90, TimeUnit.SECONDS)));
        }

        ZooKeeperRegistry registry = track(ZooKeepers.registry(zk.getConnectString(), dir.resolve("consumer"))
                .build());
        RpcClient client = track(Callers.governed(registry));
        EchoService echo = client.refer(EchoService.class);
        Callers.awaitProviders(client, ports(providers));
        for (int i = 0; i < 200; i++) {
            echo.echo(Callers.request(i, 0));
        }

        Load idempotent = track(Load.start("idempotent", 6, 300, Callers.idempotent(echo)));
        Load other = track(Load.start("non-idempotent", 4, 100, Callers.nonIdempotent(echo, 5)));
        Chaos.sleep(Chaos.phase(2));

        List<ProviderProcess> all = new ArrayList<>(providers);
        long began = Load.now();
        int lost = 0;
        List<Long> restartMillis = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            long t0 = Load.now();
            // Stop first, then start the replacement: the two others carry the load meanwhile.
            ProviderProcess old = providers.remove(0);
            lost += old.shutdownGracefully();
            ProviderProcess replacement =
                    track(start("rolling-provider-" + (i + 3), zk).get(90, TimeUnit.SECONDS));
            providers.add(replacement);
            all.add(replacement);
            Callers.awaitProviders(client, ports(providers));
            restartMillis.add(TimeUnit.NANOSECONDS.toMillis(Load.now() - t0));
            Chaos.sleep(Chaos.phase(1));
        }
        long ended = Load.now();
        Chaos.sleep(Chaos.phase(1));
        idempotent.stop();
        other.stop();

        Load.Window idemDuring = idempotent.window(began, ended);
        ExecutionLog.Count executions =
                ExecutionLog.count(all.stream().map(ProviderProcess::executions).toList());
        Chaos.report(
                "rolling restart of 3 providers",
                String.format(
                        "idempotent calls=%d failed=%d | non-idempotent calls=%d failed=%d, at the providers %s"
                                + " | calls lost by providers=%d"
                                + " | restart steps %s ms | idempotent latency during %s, before %s",
                        idempotent.all().calls(),
                        idempotent.all().failed(),
                        other.all().calls(),
                        other.all().failed(),
                        executions,
                        lost,
                        restartMillis,
                        Load.percentiles(idemDuring.latencies()),
                        Load.percentiles(idempotent.window(0, began).latencies())));

        assertThat(lost).as("calls left unanswered by a draining provider").isZero();
        assertThat(idempotent.all().failed())
                .as("idempotent failures: %s", idempotent.failureExamples())
                .isZero();
        assertThat(other.all().failed())
                .as("non-idempotent failures: %s", other.failureExamples())
                .isZero();
        assertThat(executions.duplicated())
                .as("non-idempotent calls run twice: %s", executions)
                .isEmpty();
        assertThat(executions.distinct())
                .as("%s", executions)
                .isGreaterThanOrEqualTo(other.all().succeeded());
    }

    private CompletableFuture<ProviderProcess> start(String name, TestingServer zk) {
        Duration life = Duration.ofMinutes(5).plus(Chaos.phase(30));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return ProviderProcess.start(name, zk.getConnectString(), dir.resolve(name), life);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static List<Integer> ports(List<ProviderProcess> providers) {
        return providers.stream().map(ProviderProcess::port).toList();
    }
}
