package io.outrigger.registry;

import io.outrigger.core.registry.ServiceInstance;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;

/** Real ZooKeeper servers on 127.0.0.1, registries with test-sized timeouts, and a recording listener. */
final class ZooKeeperTesting {

    static final String SERVICE = "demo.UserService";

    /** Short ticks: sessions may be 1..10 s, so tests can use 2 s sessions. */
    static final int TICK_MILLIS = 500;

    private ZooKeeperTesting() {}

    /** A started single server listening on 127.0.0.1 only. */
    static TestingServer server() throws Exception {
        InstanceSpec spec = new InstanceSpec(
                null, -1, -1, -1, true, -1, TICK_MILLIS, -1, Map.of("clientPortAddress", "127.0.0.1"), "127.0.0.1");
        return new TestingServer(spec, true);
    }

    /** A started ensemble of {@code n} servers on 127.0.0.1. */
    static TestingCluster cluster(int n) {
        List<InstanceSpec> specs = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            specs.add(new InstanceSpec(null, -1, -1, -1, true, i, TICK_MILLIS, -1, Map.of(), "127.0.0.1"));
        }
        TestingCluster cluster = new TestingCluster(specs);
        try {
            cluster.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return cluster;
    }

    /** A registry builder with test-sized timeouts. */
    static ZooKeeperRegistry.Builder registry(String connectString, Path cacheDirectory) {
        return ZooKeeperRegistry.builder(connectString)
                .sessionTimeout(Duration.ofSeconds(2))
                .connectionTimeout(Duration.ofSeconds(1))
                .startupWait(Duration.ofMillis(500))
                .confirmationDelay(Duration.ofSeconds(1))
                .coalescingWindow(Duration.ofMillis(50))
                .cacheDirectory(cacheDirectory);
    }

    static ServiceInstance instance(int port) {
        return ServiceInstance.builder(SERVICE, "127.0.0.1", port)
                .version("1.4.0")
                .zone("z1")
                .tags("canary")
                .metadata("owner", "team-a")
                .build();
    }

    /**
     * Expires {@code client}'s session on the server, as a long network partition would: a second
     * handle joins the session and closes it, so the server deletes the session's ephemeral nodes and
     * the first handle learns of the expiry when it next talks to the server.
     */
    static void expireSession(CuratorFramework client, String connectString) throws Exception {
        ZooKeeper zk = client.getZookeeperClient().getZooKeeper();
        CountDownLatch connected = new CountDownLatch(1);
        ZooKeeper twin = new ZooKeeper(
                connectString,
                2000,
                e -> {
                    if (e.getState() == Watcher.Event.KeeperState.SyncConnected) {
                        connected.countDown();
                    }
                },
                zk.getSessionId(),
                zk.getSessionPasswd());
        if (!connected.await(5, TimeUnit.SECONDS)) {
            throw new IllegalStateException("cannot join the session");
        }
        twin.close();
    }

    static Set<String> ids(List<ServiceInstance> instances) {
        return instances.stream().map(ServiceInstance::id).collect(Collectors.toSet());
    }

    /** Records every delivery. */
    static final class Recorder implements OriginAwareInstanceListener {
        final List<List<ServiceInstance>> lists = new CopyOnWriteArrayList<>();
        final List<InstanceOrigin> origins = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        @Override
        public void onInstances(String service, List<ServiceInstance> instances, InstanceOrigin origin) {
            lists.add(instances);
            origins.add(origin);
            threads.add(Thread.currentThread().getName());
        }

        List<ServiceInstance> last() {
            return lists.isEmpty() ? null : lists.get(lists.size() - 1);
        }

        Set<String> lastIds() {
            List<ServiceInstance> last = last();
            return last == null ? null : ids(last);
        }

        InstanceOrigin lastOrigin() {
            return origins.isEmpty() ? null : origins.get(origins.size() - 1);
        }

        boolean sawEmptyAfterFirst() {
            return lists.stream().skip(1).anyMatch(List::isEmpty);
        }
    }

    /** Captures what slf4j-simple writes to System.err while open. */
    static final class LogCapture implements AutoCloseable {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

        LogCapture() {
            OutputStream tee = new OutputStream() {
                @Override
                public void write(int b) {
                    synchronized (captured) {
                        captured.write(b);
                    }
                    original.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    synchronized (captured) {
                        captured.write(b, off, len);
                    }
                    original.write(b, off, len);
                }
            };
            System.setErr(new PrintStream(tee, true, StandardCharsets.UTF_8));
        }

        String text() {
            synchronized (captured) {
                return captured.toString(StandardCharsets.UTF_8);
            }
        }

        @Override
        public void close() {
            System.setErr(original);
        }
    }
}
