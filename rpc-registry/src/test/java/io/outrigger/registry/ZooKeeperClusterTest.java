package io.outrigger.registry;

import static io.outrigger.registry.ZooKeeperTesting.SERVICE;
import static io.outrigger.registry.ZooKeeperTesting.instance;
import static io.outrigger.registry.ZooKeeperTesting.registry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A three-node ensemble losing one node: discovery carries on. */
class ZooKeeperClusterTest {

    @TempDir
    Path cacheDir;

    @Test
    void losingOneOfThreeNodesKeepsDiscoveryWorking() throws Exception {
        try (TestingCluster cluster = ZooKeeperTesting.cluster(3)) {
            String connect = cluster.getConnectString();
            assertThat(connect).doesNotContain("localhost").contains("127.0.0.1");
            try (ZooKeeperRegistry provider = registry(connect, cacheDir).build();
                    ZooKeeperRegistry consumer = registry(connect, cacheDir).build()) {
                provider.register(instance(7001));
                ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
                consumer.subscribe(SERVICE, recorder);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> Set.of("127.0.0.1:7001").equals(recorder.lastIds()));

                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger picks = new AtomicInteger();
                AtomicInteger empty = new AtomicInteger();
                Thread loop = new Thread(() -> {
                    while (running.get()) {
                        picks.incrementAndGet();
                        if (consumer.instances(SERVICE).isEmpty()) {
                            empty.incrementAndGet();
                        }
                        Thread.onSpinWait();
                        try {
                            Thread.sleep(2);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
                loop.start();
                try {
                    // Kill the node the consumer talks to: it must fail over to another one.
                    InstanceSpec victim = cluster.findConnectionInstance(
                            consumer.curator().getZookeeperClient().getZooKeeper());
                    assertThat(cluster.killServer(victim)).isTrue();

                    try (ZooKeeperRegistry newcomer =
                            registry(connect, cacheDir).build()) {
                        newcomer.register(instance(7002));
                        await().atMost(Duration.ofSeconds(15))
                                .until(() -> Set.of("127.0.0.1:7001", "127.0.0.1:7002")
                                        .equals(recorder.lastIds()));
                    }
                } finally {
                    running.set(false);
                    loop.join();
                }
                assertThat(empty.get()).isZero();
                // Reads from a follower may lag the provider's write, so the very first list may be
                // empty; after the provider is seen, never again.
                List<List<io.outrigger.core.registry.ServiceInstance>> lists = recorder.lists;
                int seen = 0;
                while (lists.get(seen).isEmpty()) {
                    seen++;
                }
                assertThat(lists.subList(seen, lists.size())).noneMatch(List::isEmpty);
            }
        }
    }
}
