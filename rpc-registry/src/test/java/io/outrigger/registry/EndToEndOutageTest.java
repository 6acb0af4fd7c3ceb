package io.outrigger.registry;

import static io.outrigger.registry.RpcTesting.ECHO;
import static io.outrigger.registry.ZooKeeperTesting.registry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.testing.EchoService;
import io.outrigger.registry.RpcTesting.CallLoop;
import io.outrigger.registry.RpcTesting.Provider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registry outages under real RPC calls: ZooKeeper stopped for longer than the session timeout, a
 * node of an ensemble lost, a consumer started while ZooKeeper is down. Callers must not notice.
 */
class EndToEndOutageTest {

    @TempDir
    Path providerCache;

    @TempDir
    Path consumerCache;

    @Test
    void zooKeeperStoppedLongerThanTheSessionTimeoutFailsNoCall() throws Exception {
        try (TestingServer zk = ZooKeeperTesting.server()) {
            String connect = zk.getConnectString();
            try (Provider p1 = new Provider(registry(connect, providerCache).build());
                    Provider p2 = new Provider(registry(connect, providerCache).build());
                    ZooKeeperRegistry consumer =
                            registry(connect, consumerCache).build();
                    RpcClient client = RpcTesting.client(consumer)) {
                EchoService echo = client.refer(EchoService.class);
                echo.echo(io.outrigger.serialization.testing.TestMessages.echoRequest("warm"));
                await().atMost(Duration.ofSeconds(5))
                        .until(() ->
                                ZooKeeperTesting.ids(consumer.instances(ECHO)).equals(Set.of(p1.id(), p2.id())));

                CallLoop loop = new CallLoop(echo, 4, 1);
                int before;
                int during;
                long outageMillis;
                try (loop) {
                    RpcTesting.pause(500);
                    before = loop.made();
                    long down = System.nanoTime();
                    zk.stop();
                    RpcTesting.pause(5_000); // the sessions ask for 2 s: they are lost on the client side
                    zk.restart();
                    outageMillis = (System.nanoTime() - down) / 1_000_000;
                    during = loop.made() - before;
                    // Back to normal: connected, both providers listed from ZooKeeper again.
                    await().atMost(Duration.ofSeconds(15))
                            .until(() -> consumer.connected()
                                    && consumer.origin(ECHO) == InstanceOrigin.REGISTRY
                                    && ZooKeeperTesting.ids(consumer.instances(ECHO))
                                            .equals(Set.of(p1.id(), p2.id())));
                    RpcTesting.pause(500);
                }
                RpcTesting.report(
                        "ZooKeeper stopped",
                        "outage " + outageMillis + " ms (session timeout 2000 ms); calls during the outage " + during
                                + ", calls in the whole run " + loop.made() + ", failed " + loop.failed());
                assertThat(during).isGreaterThan(100);
                assertThat(loop.failed()).as(loop.toString()).isZero();
                assertThat(p1.impl.completed.get()).isPositive();
                assertThat(p2.impl.completed.get()).isPositive();
            }
        }
    }

    @Test
    void losingTheEnsembleNodeTheConsumerTalksToFailsNoCall() throws Exception {
        try (TestingCluster cluster = ZooKeeperTesting.cluster(3)) {
            String connect = cluster.getConnectString();
            try (Provider p1 = new Provider(registry(connect, providerCache).build());
                    Provider p2 = new Provider(registry(connect, providerCache).build());
                    ZooKeeperRegistry consumer =
                            registry(connect, consumerCache).build();
                    RpcClient client = RpcTesting.client(consumer)) {
                EchoService echo = client.refer(EchoService.class);
                await().atMost(Duration.ofSeconds(10))
                        .until(() ->
                                ZooKeeperTesting.ids(consumer.instances(ECHO)).equals(Set.of(p1.id(), p2.id())));

                CallLoop loop = new CallLoop(echo, 4, 1);
                int during;
                InstanceSpec victim;
                try (loop) {
                    RpcTesting.pause(300);
                    victim = cluster.findConnectionInstance(
                            consumer.curator().getZookeeperClient().getZooKeeper());
                    int before = loop.made();
                    assertThat(cluster.killServer(victim)).isTrue();
                    // Until the consumer's session is back on another node, and a little after.
                    await().atMost(Duration.ofSeconds(15)).until(consumer::connected);
                    RpcTesting.pause(1_000);
                    during = loop.made() - before;
                }
                RpcTesting.report(
                        "one of three ZooKeeper nodes lost",
                        "killed the consumer's node " + victim.getConnectString() + "; calls after the loss " + during
                                + ", failed " + loop.failed());
                assertThat(loop.failed()).as(loop.toString()).isZero();
                assertThat(ZooKeeperTesting.ids(consumer.instances(ECHO))).isEqualTo(Set.of(p1.id(), p2.id()));
            }
        }
    }

    @Test
    void aConsumerStartedDuringAnOutageCallsFromTheFileCacheThenFindsNewProviders() throws Exception {
        try (TestingServer zk = ZooKeeperTesting.server()) {
            String connect = zk.getConnectString();
            try (Provider p1 = new Provider(registry(connect, providerCache).build());
                    Provider p2 = new Provider(registry(connect, providerCache).build())) {
                // An earlier consumer, sharing the cache directory, wrote the snapshot.
                try (ZooKeeperRegistry earlier =
                        registry(connect, consumerCache).build()) {
                    ZooKeeperTesting.Recorder seen = new ZooKeeperTesting.Recorder();
                    earlier.subscribe(ECHO, seen);
                    await().atMost(Duration.ofSeconds(5))
                            .until(() -> Set.of(p1.id(), p2.id()).equals(seen.lastIds()));
                    await().atMost(Duration.ofSeconds(5))
                            .until(() -> Files.readString(consumerCache.resolve(ECHO + ".json"))
                                    .contains(p2.id().split(":")[1]));
                }

                zk.stop();
                long start = System.nanoTime();
                try (ZooKeeperRegistry consumer =
                                registry(connect, consumerCache).build();
                        RpcClient client = RpcTesting.client(consumer)) {
                    EchoService echo = client.refer(EchoService.class);
                    for (int i = 0; i < 20; i++) {
                        echo.echo(io.outrigger.serialization.testing.TestMessages.echoRequest("from-file"));
                    }
                    long firstCallsMillis = (System.nanoTime() - start) / 1_000_000;
                    assertThat(consumer.origin(ECHO)).isEqualTo(InstanceOrigin.FILE_CACHE);
                    assertThat(consumer.connected()).isFalse();

                    // A provider starting during the outage is announced once ZooKeeper is back.
                    try (Provider p3 = new Provider(
                                    registry(connect, providerCache).build());
                            CallLoop loop = new CallLoop(echo, 2, 2)) {
                        RpcTesting.pause(500);
                        zk.restart();
                        long back = System.nanoTime();
                        await().atMost(Duration.ofSeconds(15))
                                .until(() -> ZooKeeperTesting.ids(consumer.instances(ECHO))
                                        .equals(Set.of(p1.id(), p2.id(), p3.id())));
                        long discoveredMillis = (System.nanoTime() - back) / 1_000_000;
                        await().atMost(Duration.ofSeconds(5)).until(() -> p3.impl.completed.get() > 0);
                        loop.close();
                        RpcTesting.report(
                                "consumer started during the outage",
                                "20 calls served from the file cache " + firstCallsMillis
                                        + " ms after start (startup wait 500 ms); new provider discovered "
                                        + discoveredMillis + " ms after ZooKeeper restarted; loop calls "
                                        + loop.made() + ", failed " + loop.failed());
                        assertThat(loop.failed()).as(loop.toString()).isZero();
                        assertThat(consumer.origin(ECHO)).isEqualTo(InstanceOrigin.REGISTRY);
                    }
                }
            }
        }
    }
}
