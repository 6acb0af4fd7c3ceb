package io.outrigger.chaos;

import io.outrigger.registry.ZooKeeperRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;

/** Real ZooKeeper servers on 127.0.0.1 and registries with test-sized timeouts. */
final class ZooKeepers {

    /** Short ticks, so sessions of 2 s are allowed (ZooKeeper's minimum is two ticks). */
    private static final int TICK_MILLIS = 500;

    private ZooKeepers() {}

    /** A started single server listening on 127.0.0.1 only. */
    static TestingServer server() throws Exception {
        InstanceSpec spec = new InstanceSpec(
                null, -1, -1, -1, true, -1, TICK_MILLIS, -1, Map.of("clientPortAddress", "127.0.0.1"), "127.0.0.1");
        return new TestingServer(spec, true);
    }

    /** A started ensemble of {@code n} servers on 127.0.0.1. */
    static TestingCluster cluster(int n) throws Exception {
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            specs.add(new InstanceSpec(
                    null, -1, -1, -1, true, i, TICK_MILLIS, -1, Map.of("clientPortAddress", "127.0.0.1"), "127.0.0.1"));
        }
        TestingCluster cluster = new TestingCluster(specs);
        cluster.start();
        return cluster;
    }

    /** A registry with 2 s sessions, so a killed provider's node goes away within seconds. */
    static ZooKeeperRegistry.Builder registry(String connectString, Path cacheDirectory) {
        return ZooKeeperRegistry.builder(connectString)
                .sessionTimeout(Duration.ofSeconds(2))
                .connectionTimeout(Duration.ofSeconds(1))
                .startupWait(Duration.ofSeconds(1))
                .confirmationDelay(Duration.ofSeconds(1))
                .coalescingWindow(Duration.ofMillis(50))
                .cacheDirectory(cacheDirectory);
    }
}
