package io.outrigger.registry;

import static io.outrigger.registry.RpcTesting.ECHO;
import static io.outrigger.registry.ZooKeeperTesting.registry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.testing.EchoService;
import io.outrigger.governance.ClientGovernance;
import io.outrigger.governance.LoadBalancing;
import io.outrigger.registry.RpcTesting.CallLoop;
import io.outrigger.registry.RpcTesting.Provider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Providers leaving under load, gracefully and not: callers see no failure. */
class EndToEndDepartureTest {

    @TempDir
    Path providerCache;

    @TempDir
    Path consumerCache;

    private TestingServer zk;

    @BeforeEach
    void start() throws Exception {
        zk = ZooKeeperTesting.server();
    }

    @AfterEach
    void stop() throws Exception {
        zk.close();
    }

    @Test
    void gracefulShutdownUnderLoadFailsNoCallAndConsumersDropTheProviderBeforeItsPortCloses() throws Exception {
        String connect = zk.getConnectString();
        Duration propagation = Duration.ofSeconds(1);
        try (Provider leaving = new Provider(registry(connect, providerCache).build(), propagation, b -> {});
                Provider staying = new Provider(registry(connect, providerCache).build());
                ZooKeeperRegistry consumer = registry(connect, consumerCache).build();
                RpcClient client = RpcTesting.client(consumer)) {
            EchoService echo = client.refer(EchoService.class);
            await().atMost(Duration.ofSeconds(5))
                    .until(() ->
                            ZooKeeperTesting.ids(consumer.instances(ECHO)).equals(Set.of(leaving.id(), staying.id())));
            AtomicLong droppedAt = new AtomicLong();
            consumer.subscribe(ECHO, (service, instances) -> {
                if (instances.stream().noneMatch(i -> i.id().equals(leaving.id()))) {
                    droppedAt.compareAndSet(0, System.nanoTime());
                }
            });
            int port = leaving.server.port();

            CallLoop loop = new CallLoop(echo, 4, 0);
            long shutdownStart;
            long portClosedAt;
            try (loop) {
                RpcTesting.pause(300);
                shutdownStart = System.nanoTime();
                int lost = leaving.server.shutdown(); // unregister, wait 1 s, GOAWAY, drain, close
                portClosedAt = System.nanoTime();
                assertThat(lost).isZero();
                assertThat(accepts(port)).isFalse();
                RpcTesting.pause(300);
            }
            long dropMillis = (droppedAt.get() - shutdownStart) / 1_000_000;
            long closeMillis = (portClosedAt - shutdownStart) / 1_000_000;
            RpcTesting.report(
                    "graceful provider shutdown",
                    "consumer dropped the provider " + dropMillis + " ms after shutdown() began, its port closed after "
                            + closeMillis + " ms; calls " + loop.made() + ", failed " + loop.failed()
                            + ", served by the leaving provider " + leaving.impl.completed.get());
            assertThat(droppedAt.get()).isPositive();
            assertThat(dropMillis).isLessThan(propagation.toMillis());
            assertThat(dropMillis).isLessThan(closeMillis);
            assertThat(loop.failed()).as(loop.toString()).isZero();
            assertThat(client.endpoints(ECHO))
                    .extracting(e -> e.instance().id())
                    .containsExactly(staying.id());
        }
    }

    @Test
    void aProviderWhoseSessionDiesAndServerStopsIsFailedOverWithoutAFailedIdempotentCall() throws Exception {
        String connect = zk.getConnectString();
        try (Provider victim = new Provider(registry(connect, providerCache).build(), Duration.ZERO, b -> {});
                Provider survivor =
                        new Provider(registry(connect, providerCache).build());
                ZooKeeperRegistry consumer = registry(connect, consumerCache).build();
                RpcClient client = ClientGovernance.builder()
                        .loadBalancing(LoadBalancing.ROUND_ROBIN)
                        .warmUp(Duration.ZERO)
                        .build()
                        .applyTo(RpcClient.builder().registry(consumer).defaultTimeout(Duration.ofSeconds(3)))
                        .build()) {
            EchoService echo = client.refer(EchoService.class); // echo is @Idempotent
            await().atMost(Duration.ofSeconds(5))
                    .until(() ->
                            ZooKeeperTesting.ids(consumer.instances(ECHO)).equals(Set.of(victim.id(), survivor.id())));

            CallLoop loop = new CallLoop(echo, 4, 0);
            long killedAt;
            int servedByVictim;
            try (loop) {
                await().atMost(Duration.ofSeconds(5)).until(() -> victim.impl.completed.get() > 50);
                killedAt = System.nanoTime();
                victim.registry.crashForTesting(); // the session ends: its node goes, no leaving marker
                victim.server.shutdown(Duration.ZERO); // and the server stops without draining
                servedByVictim = victim.impl.completed.get();
                await().atMost(Duration.ofSeconds(5))
                        .until(() ->
                                ZooKeeperTesting.ids(consumer.instances(ECHO)).equals(Set.of(survivor.id())));
                RpcTesting.pause(500);
            }
            long goneMillis = (System.nanoTime() - killedAt) / 1_000_000;
            RpcTesting.report(
                    "provider killed (session closed, server stopped)",
                    "calls " + loop.made() + ", failed " + loop.failed() + ", served by the killed provider "
                            + servedByVictim + " (consumer list updated within " + goneMillis + " ms)");
            assertThat(loop.failed()).as(loop.toString()).isZero();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
