package io.outrigger.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.registry.ServiceInstance;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedZooKeeperTest {

    @TempDir
    Path cacheDir;

    @Test
    void servesARegistryOnLoopback() {
        try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start();
                ZooKeeperRegistry provider = ZooKeeperRegistry.builder(zk.connectString())
                        .cacheDirectory(cacheDir)
                        .build();
                ZooKeeperRegistry consumer = ZooKeeperRegistry.builder(zk.connectString())
                        .cacheDirectory(cacheDir)
                        .build()) {
            assertThat(zk.connectString()).isEqualTo("127.0.0.1:" + zk.port());
            assertThat(zk.port()).isPositive();
            provider.register(
                    ServiceInstance.builder("demo.Echo", "127.0.0.1", 7100).build());
            ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
            consumer.subscribe("demo.Echo", recorder);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> "127.0.0.1:7100"
                            .equals(
                                    recorder.last().isEmpty()
                                            ? null
                                            : recorder.last().get(0).id()));
        }
    }
}
