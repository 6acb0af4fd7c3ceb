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
 * Scenario 1: one of three providers, each its own JVM, is killed with SIGKILL under load.
 * Idempotent calls must never fail (failover retries them); calls that are not idempotent may fail
 * only if they were in flight on the killed provider; traffic is back to full within a second.
 */
class KillProviderTest {

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
    void killDashNineOfOneProviderOfThree() throws Exception {
        TestingServer zk = track(ZooKeepers.server());
        Duration life = Duration.ofMinutes(5).plus(Chaos.phase(20));
        List<CompletableFuture<ProviderProcess>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String name = "kill-provider-" + i;
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return ProviderProcess.start(name, zk.getConnectString(), dir.resolve(name), life);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<ProviderProcess> providers = new ArrayList<>();
        for (CompletableFuture<ProviderProcess> f : starting) {
            providers.add(track(f.get(90, TimeUnit.SECONDS)));
        }

        ZooKeeperRegistry registry = track(ZooKeepers.registry(zk.getConnectString(), dir.resolve("consumer"))
                .build());
        RpcClient client = track(Callers.governed(registry));
        EchoService echo = client.refer(EchoService.class);
        Callers.awaitProviders(
                client, providers.stream().map(ProviderProcess::port).toList());
        for (int i = 0; i < 200; i++) {
            echo.echo(Callers.request(i, 0)); // connections open, JIT warm
        }

        Hiccups hiccups = track(Hiccups.start());
        Load idempotent = track(Load.start("idempotent", 6, 300, Callers.idempotent(echo)));
        Load other = track(Load.start("non-idempotent", 4, 100, Callers.nonIdempotent(echo, 5)));
        Duration steady = Chaos.phase(3);
        Chaos.sleep(steady);

        ProviderProcess victim = providers.get(0);
        long killedAt = Load.now();
        victim.kill();
        Chaos.sleep(Chaos.phase(5));
        idempotent.stop();
        other.stop();

        long before = killedAt - TimeUnit.MILLISECONDS.toNanos(steady.toMillis() - 1000);
        Load.Window idemBefore = idempotent.window(before, killedAt);
        Load.Window otherBefore = other.window(before, killedAt);
        Load.Window idemAfter = idempotent.window(killedAt, Long.MAX_VALUE);
        Load.Window otherAfter = other.window(killedAt, Long.MAX_VALUE);
        long idemRecovery = idempotent.recoveryMillis(killedAt, idemBefore.perSecond(), 0.8);
        long otherRecovery = other.recoveryMillis(killedAt, otherBefore.perSecond(), 0.8);
        ExecutionLog.Count executions = ExecutionLog.count(
                providers.stream().map(ProviderProcess::executions).toList());
        long second = TimeUnit.SECONDS.toNanos(1);
        // Time this JVM itself could not run (a busy machine) while recovery was being measured.
        long stalled = hiccups.stalledMillis(killedAt, killedAt + 2 * second);
        System.out.println("idempotent calls per 100 ms, 1 s before to 2 s after the kill: "
                + idempotent.timeline(killedAt - second, killedAt + 2 * second, 100));
        System.out.println("non-idempotent calls per 100 ms, 1 s before to 2 s after the kill: "
                + other.timeline(killedAt - second, killedAt + 2 * second, 100));
        Chaos.report(
                "kill -9 of 1 of 3 providers",
                String.format(
                        "idempotent calls=%d failed=%d recovery=%d ms (before %s; after %s) | "
                                + "non-idempotent calls=%d failed=%d (in flight %d) recovery=%d ms, at the providers %s"
                                + " | test JVM stalled %d ms in the 2 s after the kill",
                        idempotent.all().calls(),
                        idempotent.all().failed(),
                        idemRecovery,
                        Load.percentiles(idemBefore.latencies()),
                        Load.percentiles(idemAfter.latencies()),
                        other.all().calls(),
                        other.all().failed(),
                        other.all().failedInFlight(),
                        otherRecovery,
                        executions,
                        stalled));

        assertThat(idempotent.all().failed())
                .as("idempotent calls failed: %s", idempotent.failureExamples())
                .isZero();
        assertThat(other.all().failed())
                .as("non-idempotent calls may fail only when in flight: %s", other.failureExamples())
                .isEqualTo(other.all().failedInFlight());
        assertThat(executions.duplicated())
                .as("non-idempotent calls run twice: %s", executions)
                .isEmpty();
        assertThat(executions.distinct())
                .as("every non-idempotent call that succeeded ran at a provider: %s", executions)
                .isGreaterThanOrEqualTo(other.all().succeeded());
        // Each load thread has at most one call in flight; only the victim's share can be lost.
        assertThat(other.all().failedInFlight()).isLessThanOrEqualTo(4);
        // Within a second, plus whatever time the machine did not let this JVM run.
        assertThat(idemRecovery).as("idempotent recovery").isBetween(0L, 1000L + stalled);
        assertThat(otherRecovery).as("non-idempotent recovery").isBetween(0L, 1000L + stalled);
    }
}
