package io.outrigger.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.registry.InstanceOrigin;
import io.outrigger.registry.OriginAwareInstanceListener;
import io.outrigger.registry.ZooKeeperRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scenario 3: the ZooKeeper ensemble of three loses one node, then every node for a while (5 s in
 * short mode, 30 s in long mode: longer than every session timeout), then comes back. Callers keep
 * the providers they know and no call fails; afterwards discovery works again.
 */
class ZooKeeperOutageTest {

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
    void ensembleLosesOneNodeThenAllNodes() throws Exception {
        TestingCluster cluster = track(ZooKeepers.cluster(3));
        String connect = cluster.getConnectString();
        List<ZooKeeperRegistry> providerRegistries = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        List<Path> executionFiles = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path executionFile = dir.resolve("provider-" + i).resolve("executions.log");
            executionFiles.add(executionFile);
            ExecutionLog service = track(new ExecutionLog(executionFile));
            ZooKeeperRegistry registry = track(
                    ZooKeepers.registry(connect, dir.resolve("provider-" + i)).build());
            providerRegistries.add(registry);
            RpcServer server = RpcServer.builder()
                    .host("127.0.0.1")
                    .announceHost("127.0.0.1")
                    .service(EchoService.class, service)
                    .registry(registry)
                    .propagationDelay(Duration.ZERO)
                    .build()
                    .start();
            resources.add(() -> server.shutdown(Duration.ZERO));
            ports.add(server.port());
        }
        ZooKeeperRegistry consumer =
                track(ZooKeepers.registry(connect, dir.resolve("consumer")).build());
        RpcClient client = track(Callers.governed(consumer));
        EchoService echo = client.refer(EchoService.class);
        Callers.awaitProviders(client, ports);
        // What the consumer's registry delivers from here on: the list must never shrink.
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        List<InstanceOrigin> origins = new CopyOnWriteArrayList<>();
        track(consumer.subscribe(Callers.SERVICE, (OriginAwareInstanceListener) (service, instances, origin) -> {
            sizes.add(instances.size());
            origins.add(origin);
        }));

        Load idempotent = track(Load.start("idempotent", 6, 300, Callers.idempotent(echo)));
        Load other = track(Load.start("non-idempotent", 4, 100, Callers.nonIdempotent(echo, 5)));
        Chaos.sleep(Chaos.phase(2));

        List<InstanceSpec> nodes = new ArrayList<>(cluster.getInstances());
        assertThat(cluster.killServer(nodes.get(0))).isTrue();
        Chaos.sleep(Chaos.phase(3));

        long downAt = Load.now();
        for (InstanceSpec node : nodes.subList(1, nodes.size())) {
            assertThat(cluster.killServer(node)).isTrue();
        }
        Chaos.sleep(Chaos.outage());
        long upAt = Load.now();
        for (InstanceSpec node : nodes) {
            assertThat(cluster.restartServer(node)).isTrue();
        }
        await().atMost(Duration.ofSeconds(60))
                .until(() ->
                        consumer.connected() && providerRegistries.stream().allMatch(ZooKeeperRegistry::connected));
        long reconnectMillis = TimeUnit.NANOSECONDS.toMillis(Load.now() - upAt);
        Chaos.sleep(Chaos.phase(3));
        idempotent.stop();
        other.stop();
        ExecutionLog.Count executions = ExecutionLog.count(executionFiles);

        // Discovery works again: a new provider is seen, and the old ones are all still listed.
        ZooKeeperRegistry newcomerRegistry =
                track(ZooKeepers.registry(connect, dir.resolve("newcomer")).build());
        RpcServer newcomer = RpcServer.builder()
                .host("127.0.0.1")
                .announceHost("127.0.0.1")
                .service(EchoService.class, new EchoServiceImpl())
                .registry(newcomerRegistry)
                .propagationDelay(Duration.ZERO)
                .build()
                .start();
        resources.add(() -> newcomer.shutdown(Duration.ZERO));
        List<Integer> all = new ArrayList<>(ports);
        all.add(newcomer.port());
        long t0 = Load.now();
        Callers.awaitProviders(client, all);
        long discoveryMillis = TimeUnit.NANOSECONDS.toMillis(Load.now() - t0);
        int smallest = sizes.stream().mapToInt(Integer::intValue).min().orElse(-1);

        Load.Window outage = idempotent.window(downAt, upAt);
        Chaos.report(
                "ZooKeeper 3 nodes: lose 1, then all for " + Chaos.outage().toSeconds() + " s",
                String.format(
                        "idempotent calls=%d failed=%d | non-idempotent calls=%d failed=%d, at the providers %s"
                                + " | calls during the outage=%d (%s) | ZooKeeper sessions back %d ms after restart"
                                + " | a new provider seen %d ms after registering"
                                + " | consumer's lists: %d deliveries, smallest %d, origins %s",
                        idempotent.all().calls(),
                        idempotent.all().failed(),
                        other.all().calls(),
                        other.all().failed(),
                        executions,
                        outage.calls(),
                        Load.percentiles(outage.latencies()),
                        reconnectMillis,
                        discoveryMillis,
                        sizes.size(),
                        smallest,
                        new java.util.TreeSet<>(origins)));

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
        assertThat(outage.succeeded()).isPositive();
        assertThat(smallest).as("smallest provider list delivered: %s", sizes).isGreaterThanOrEqualTo(3);
    }
}
