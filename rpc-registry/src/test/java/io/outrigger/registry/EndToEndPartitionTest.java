package io.outrigger.registry;

import static io.outrigger.registry.RpcTesting.ECHO;
import static io.outrigger.registry.ZooKeeperTesting.registry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.testing.EchoService;
import io.outrigger.registry.RpcTesting.CallLoop;
import io.outrigger.registry.RpcTesting.Provider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Providers cut off from ZooKeeper for longer than their session (and the confirmation delay) while
 * they keep serving, and a consumer that still sees ZooKeeper and is told they are gone: it keeps
 * calling them over its working connections, and drops one only when it really dies.
 *
 * <p>The partition lasts {@code -Doutrigger.test.partitionSeconds} (default 15; the scenario it
 * stands for is 60 s or more).
 */
class EndToEndPartitionTest {

    private static final long PARTITION_SECONDS = Long.getLong("outrigger.test.partitionSeconds", 15);

    @TempDir
    Path providerCache;

    @TempDir
    Path consumerCache;

    @Test
    void providersWhoseSessionsExpireWhileServingAreHeldWhileTheirConnectionsWork() throws Exception {
        try (TestingCluster cluster = ZooKeeperTesting.cluster(3)) {
            List<InstanceSpec> nodes = new ArrayList<>(cluster.getInstances());
            InstanceSpec providersNode = nodes.get(0);
            String consumersNodes =
                    nodes.get(1).getConnectString() + "," + nodes.get(2).getConnectString();
            try (Provider a = new Provider(registry(providersNode.getConnectString(), providerCache)
                            .build());
                    Provider b = new Provider(registry(providersNode.getConnectString(), providerCache)
                            .build());
                    ZooKeeperRegistry consumer =
                            registry(consumersNodes, consumerCache).build();
                    RpcClient client = RpcTesting.client(consumer)) {
                EchoService echo = client.refer(EchoService.class);
                await().atMost(Duration.ofSeconds(10))
                        .until(() ->
                                ZooKeeperTesting.ids(consumer.instances(ECHO)).size() == 2);

                CallLoop loop = new CallLoop(echo, 2, 5);
                int failedBeforeKill;
                int madeInPartition;
                long lostAfterMillis;
                long droppedAfterMillis;
                try (loop) {
                    RpcTesting.pause(300);
                    // The partition: the providers' only ZooKeeper node goes away; their sessions expire
                    // on the other two, which the consumer still talks to.
                    long cut = System.nanoTime();
                    assertThat(cluster.killServer(providersNode)).isTrue();
                    int madeBefore = loop.made();
                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> consumer.instances(ECHO).isEmpty());
                    lostAfterMillis = (System.nanoTime() - cut) / 1_000_000;
                    // ZooKeeper confirmed the removal; the client still calls both.
                    assertThat(client.heldInstances()).isEqualTo(Map.of(ECHO, sorted(a.id(), b.id())));
                    assertThat(client.endpoints(ECHO)).hasSize(2).allMatch(Endpoint::isHeld);

                    long end = cut + PARTITION_SECONDS * 1_000_000_000L;
                    while (System.nanoTime() < end) {
                        RpcTesting.pause(200);
                        assertThat(client.heldInstances().get(ECHO)).hasSize(2);
                    }
                    madeInPartition = loop.made() - madeBefore;
                    failedBeforeKill = loop.failed();
                    assertThat(failedBeforeKill).as(loop.toString()).isZero();

                    // Now one really dies: its connection fails, so it is dropped.
                    long kill = System.nanoTime();
                    a.server.shutdown(Duration.ofSeconds(1));
                    await().atMost(Duration.ofSeconds(5))
                            .until(() -> client.endpoints(ECHO).stream()
                                    .map(e -> e.instance().id())
                                    .toList()
                                    .equals(List.of(b.id())));
                    droppedAfterMillis = (System.nanoTime() - kill) / 1_000_000;
                    assertThat(client.heldInstances()).isEqualTo(Map.of(ECHO, List.of(b.id())));
                    int madeAfterDrop = loop.made();
                    int failedAfterDrop = loop.failed();
                    RpcTesting.pause(500);
                    assertThat(loop.made()).isGreaterThan(madeAfterDrop);
                    assertThat(loop.failed()).as(loop.toString()).isEqualTo(failedAfterDrop);
                }

                // The partition heals: the survivor registers on a new session and is listed again.
                cluster.restartServer(providersNode);
                await().atMost(Duration.ofSeconds(20))
                        .until(() ->
                                ZooKeeperTesting.ids(consumer.instances(ECHO)).contains(b.id()));
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> client.heldInstances().isEmpty());
                assertThat(client.endpoints(ECHO))
                        .singleElement()
                        .satisfies(e -> assertThat(e.isHeld()).isFalse());
                RpcTesting.report(
                        "providers' sessions expired for " + PARTITION_SECONDS + " s while serving",
                        madeInPartition + " calls in the partition, " + failedBeforeKill
                                + " failed; ZooKeeper's list emptied " + lostAfterMillis
                                + " ms after the cut; a provider killed then was dropped after "
                                + droppedAfterMillis + " ms; " + loop);
            }
        }
    }

    private static List<String> sorted(String... ids) {
        return java.util.Arrays.stream(ids).sorted().toList();
    }
}
