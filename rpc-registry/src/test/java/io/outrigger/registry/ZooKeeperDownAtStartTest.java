package io.outrigger.registry;

import static io.outrigger.registry.ZooKeeperTesting.instance;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With ZooKeeper unreachable from the start, no call blocks for long: the defaults (5 s connection
 * timeout, retries) must not turn into waits on the caller's thread.
 */
class ZooKeeperDownAtStartTest {

    @TempDir
    Path cacheDir;

    @Test
    void everyCallReturnsPromptlyWhileZooKeeperIsUnreachable() throws Exception {
        String nowhere;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nowhere = "127.0.0.1:" + s.getLocalPort();
        }
        long start = System.nanoTime();
        ZooKeeperRegistry registry = ZooKeeperRegistry.builder(nowhere) // default timeouts on purpose
                .cacheDirectory(cacheDir)
                .startupWait(Duration.ofMillis(300))
                .build();
        try {
            registry.subscribe("demo.A", new ZooKeeperTesting.Recorder());
            registry.register(instance(7001)); // kept, announced once ZooKeeper is back
            registry.subscribe("demo.B", new ZooKeeperTesting.Recorder());
            registry.unregister(instance(7001));
            registry.register(instance(7002));
            registry.ruleSource().watch("demo.A", (service, json) -> {}).close();
            assertThat(registry.connected()).isFalse();
            assertThat(registry.origin("demo.B")).isEqualTo(InstanceOrigin.FILE_CACHE);
        } finally {
            registry.close();
        }
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        // One startup wait (300 ms) plus a little; not the 5 s connection timeout, let alone retries.
        assertThat(tookMillis).isLessThan(3000);
    }
}
