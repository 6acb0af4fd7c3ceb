package io.outrigger.registry;

import static io.outrigger.registry.ZooKeeperTesting.SERVICE;
import static io.outrigger.registry.ZooKeeperTesting.instance;
import static io.outrigger.registry.ZooKeeperTesting.registry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.Subscription;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.registry.internal.InstanceJson;
import io.outrigger.registry.internal.ZooKeeperLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Discovery, provider failures, session expiry and push protection against a real ZooKeeper. */
class ZooKeeperRegistryTest {

    @TempDir
    Path cacheDir;

    private TestingServer zk;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void startZooKeeper() throws Exception {
        zk = ZooKeeperTesting.server();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        zk.close();
    }

    private ZooKeeperRegistry open(ZooKeeperRegistry.Builder builder) {
        ZooKeeperRegistry registry = builder.build();
        closeables.add(registry);
        return registry;
    }

    private ZooKeeperRegistry open() {
        return open(registry(zk.getConnectString(), cacheDir));
    }

    @Test
    void registersDiscoversAndUnregisters() throws Exception {
        ZooKeeperRegistry provider = open();
        ZooKeeperRegistry consumer = open(registry(zk.getConnectString(), cacheDir)
                .confirmationDelay(Duration.ofSeconds(30))); // graceful departures must not wait for it
        ServiceInstance a = instance(7001);
        ServiceInstance b = instance(7002).toBuilder().weight(50).build();
        provider.register(a);
        provider.register(b);

        ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
        consumer.subscribe(SERVICE, recorder);

        await().atMost(Duration.ofSeconds(5))
                .until(() -> Set.of("127.0.0.1:7001", "127.0.0.1:7002").equals(recorder.lastIds()));
        // Every field survives the trip through the node's JSON.
        assertThat(recorder.last()).containsExactly(a, b);
        assertThat(consumer.instances(SERVICE)).containsExactly(a, b);
        assertThat(recorder.lastOrigin()).isEqualTo(InstanceOrigin.REGISTRY);
        assertThat(recorder.threads).allMatch(t -> t.startsWith("outrigger-registry-notify"));

        provider.unregister(a);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Set.of("127.0.0.1:7002").equals(recorder.lastIds()));

        // The last provider leaving gracefully empties the service at once: no push protection.
        provider.unregister(b);
        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.last().isEmpty());
        assertThat(recorder.lastOrigin()).isEqualTo(InstanceOrigin.REGISTRY);
        assertThat(consumer.instances(SERVICE)).isEmpty();
    }

    @Test
    void providerNodeHoldsTheDocumentedJson() throws Exception {
        ZooKeeperRegistry provider = open();
        ServiceInstance a = instance(7001);
        provider.register(a);
        CuratorFramework client = provider.curator();
        String path = "/outrigger/services/demo.UserService/providers/127.0.0.1:7001";
        await().atMost(Duration.ofSeconds(5)).until(() -> client.checkExists().forPath(path) != null);

        Stat stat = client.checkExists().forPath(path);
        assertThat(stat.getEphemeralOwner())
                .isEqualTo(client.getZookeeperClient().getZooKeeper().getSessionId());
        String json = new String(client.getData().forPath(path), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json)
                .isEqualTo("{\"service\":\"demo.UserService\",\"host\":\"127.0.0.1\",\"port\":7001,\"weight\":100,"
                        + "\"version\":\"1.4.0\",\"group\":\"\",\"tags\":[\"canary\"],\"zone\":\"z1\","
                        + "\"serializers\":[\"protobuf\",\"thrift\"],\"protocolVersion\":1,"
                        + "\"metadata\":{\"owner\":\"team-a\"}}");
        assertThat(path).isEqualTo(ZooKeeperLayout.DEFAULT.provider(SERVICE, "127.0.0.1:7001"));
    }

    @Test
    void reRegisteringWithNewMetadataUpdatesTheNodeInPlace() {
        ZooKeeperRegistry provider = open();
        ZooKeeperRegistry consumer = open();
        ServiceInstance a = instance(7001);
        provider.register(a);
        ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
        consumer.subscribe(SERVICE, recorder);
        await().atMost(Duration.ofSeconds(5)).until(() -> a.equals(first(recorder.last())));

        ServiceInstance heavier = a.toBuilder().weight(300).build();
        provider.register(heavier);
        await().atMost(Duration.ofSeconds(5)).until(() -> heavier.equals(first(recorder.last())));
        // Never briefly gone: an update is a change of data, not a delete and a create.
        assertThat(recorder.lists).noneMatch(List::isEmpty);
    }

    @Test
    void killedProviderDisappearsAtOnceWhenFewAreLost() {
        ZooKeeperRegistry consumer = open(registry(zk.getConnectString(), cacheDir)
                .confirmationDelay(Duration.ofSeconds(30))); // one of three (33%) must not wait for it
        ZooKeeperRegistry p1 = open();
        ZooKeeperRegistry p2 = open();
        ZooKeeperRegistry p3 = open();
        p1.register(instance(7001));
        p2.register(instance(7002));
        p3.register(instance(7003));
        ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
        consumer.subscribe(SERVICE, recorder);
        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.lastIds().size() == 3);

        p2.crashForTesting(); // session closed, no unregister, no marker

        await().atMost(Duration.ofSeconds(5))
                .until(() -> Set.of("127.0.0.1:7001", "127.0.0.1:7003").equals(recorder.lastIds()));
        assertThat(recorder.lastOrigin()).isEqualTo(InstanceOrigin.REGISTRY);
    }

    @Test
    void emptyPushIsHeldBackUntilARereadConfirmsIt() {
        ZooKeeperRegistry consumer =
                open(registry(zk.getConnectString(), cacheDir).confirmationDelay(Duration.ofMillis(1500)));
        ZooKeeperRegistry p1 = open();
        p1.register(instance(7001));
        ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
        consumer.subscribe(SERVICE, recorder);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Set.of("127.0.0.1:7001").equals(recorder.lastIds()));

        long crashedAt = System.nanoTime();
        p1.crashForTesting();

        // The node is gone from ZooKeeper, but consumers keep the provider...
        await().atMost(Duration.ofSeconds(3)).until(() -> consumer.origin(SERVICE) == InstanceOrigin.PROTECTED);
        assertThat(consumer.instances(SERVICE)).extracting(ServiceInstance::id).containsExactly("127.0.0.1:7001");
        // ...until the re-read after the confirmation delay.
        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.last().isEmpty());
        long heldMillis = (System.nanoTime() - crashedAt) / 1_000_000;
        assertThat(heldMillis).isGreaterThanOrEqualTo(1400);
        assertThat(recorder.lastOrigin()).isEqualTo(InstanceOrigin.REGISTRY);
        assertThat(recorder.lists.stream().filter(List::isEmpty)).hasSize(1);
    }

    @Test
    void massDropAboveTheThresholdIsHeldBackThenConfirmed() {
        ZooKeeperRegistry consumer =
                open(registry(zk.getConnectString(), cacheDir).confirmationDelay(Duration.ofMillis(1500)));
        ZooKeeperRegistry big = open();
        ZooKeeperRegistry small = open();
        big.register(instance(7001));
        big.register(instance(7002));
        big.register(instance(7003));
        small.register(instance(7004));
        ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
        consumer.subscribe(SERVICE, recorder);
        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.lastIds().size() == 4);

        big.crashForTesting(); // 3 of 4 (75%) at once

        await().atMost(Duration.ofSeconds(3)).until(() -> consumer.origin(SERVICE) == InstanceOrigin.PROTECTED);
        await().during(Duration.ofMillis(800))
                .atMost(Duration.ofSeconds(2))
                .until(() -> consumer.instances(SERVICE).size() == 4);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Set.of("127.0.0.1:7004").equals(recorder.lastIds()));
        assertThat(recorder.lastOrigin()).isEqualTo(InstanceOrigin.REGISTRY);
        // Never a partial list in between: the held-back drop arrives in one step.
        assertThat(recorder.lists).allMatch(l -> l.size() == 4 || l.size() == 1);
    }

    @Test
    void gracefulMassDepartureIsNotHeldBack() {
        ZooKeeperRegistry consumer =
                open(registry(zk.getConnectString(), cacheDir).confirmationDelay(Duration.ofSeconds(30)));
        ZooKeeperRegistry provider = open();
        List<ServiceInstance> all = List.of(instance(7001), instance(7002), instance(7003), instance(7004));
        all.forEach(provider::register);
        ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
        consumer.subscribe(SERVICE, recorder);
        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.lastIds().size() == 4);

        all.subList(0, 3).forEach(provider::unregister); // a scale-down: 75%, but announced

        await().atMost(Duration.ofSeconds(5))
                .until(() -> Set.of("127.0.0.1:7004").equals(recorder.lastIds()));
        assertThat(consumer.origin(SERVICE)).isEqualTo(InstanceOrigin.REGISTRY);
    }

    @Test
    void providersReRegisterAfterSessionExpiry() throws Exception {
        ZooKeeperRegistry consumer =
                open(registry(zk.getConnectString(), cacheDir).confirmationDelay(Duration.ofSeconds(30)));
        ZooKeeperRegistry provider = open();
        provider.register(instance(7001));
        ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
        consumer.subscribe(SERVICE, recorder);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Set.of("127.0.0.1:7001").equals(recorder.lastIds()));
        String path = ZooKeeperLayout.DEFAULT.provider(SERVICE, "127.0.0.1:7001");
        CuratorFramework client = provider.curator();
        long oldSession = client.getZookeeperClient().getZooKeeper().getSessionId();

        ZooKeeperTesting.expireSession(client, zk.getConnectString());

        // Re-created by the provider's new session.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            Stat stat = consumer.curator().checkExists().forPath(path);
            return stat != null && stat.getEphemeralOwner() != oldSession;
        });
        Stat stat = consumer.curator().checkExists().forPath(path);
        assertThat(stat.getEphemeralOwner())
                .isEqualTo(client.getZookeeperClient().getZooKeeper().getSessionId());
        // Consumers never saw the service empty: the brief gap was held back.
        assertThat(recorder.lists).noneMatch(List::isEmpty);
        assertThat(recorder.lastIds()).containsExactly("127.0.0.1:7001");
    }

    @Test
    void consumerResubscribesAfterItsOwnSessionExpires() throws Exception {
        ZooKeeperRegistry consumer = open();
        ZooKeeperRegistry provider = open();
        provider.register(instance(7001));
        ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
        consumer.subscribe(SERVICE, recorder);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Set.of("127.0.0.1:7001").equals(recorder.lastIds()));

        ZooKeeperTesting.expireSession(consumer.curator(), zk.getConnectString());
        await().atMost(Duration.ofSeconds(5)).until(() -> consumer.connected());
        provider.register(instance(7002)); // only a renewed watch can see this

        await().atMost(Duration.ofSeconds(10))
                .until(() -> Set.of("127.0.0.1:7001", "127.0.0.1:7002").equals(recorder.lastIds()));
    }

    @Test
    void zooKeeperDownKeepsEveryListAndNeverPushesEmpty() throws Exception {
        ZooKeeperRegistry consumer = open();
        ZooKeeperRegistry provider = open();
        provider.register(instance(7001));
        provider.register(instance(7002));
        ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
        consumer.subscribe(SERVICE, recorder);
        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.lastIds().size() == 2);

        // A "call loop": what a client's load balancer reads on every call. It must never find nothing.
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger picks = new AtomicInteger();
        AtomicInteger emptyPicks = new AtomicInteger();
        Thread loop = new Thread(() -> {
            while (running.get()) {
                picks.incrementAndGet();
                if (consumer.instances(SERVICE).isEmpty()) {
                    emptyPicks.incrementAndGet();
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        loop.start();
        try {
            zk.stop();
            await().atMost(Duration.ofSeconds(5)).until(() -> !consumer.connected());
            // Longer than the 2 s session timeout: sessions are lost on the client side too.
            await().during(Duration.ofMillis(2500))
                    .atMost(Duration.ofSeconds(4))
                    .until(() -> consumer.instances(SERVICE).size() == 2);

            zk.restart();
            await().atMost(Duration.ofSeconds(10)).until(consumer::connected);
            provider.register(instance(7003));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> recorder.lastIds().size() == 3);
        } finally {
            running.set(false);
            loop.join();
        }
        assertThat(picks.get()).isGreaterThan(100);
        assertThat(emptyPicks.get()).isZero();
        assertThat(recorder.lists).noneMatch(List::isEmpty);
        System.out.printf(
                "outage: %d picks from the memory cache, %d found no provider%n", picks.get(), emptyPicks.get());
    }

    @Test
    void unregisterDuringAnOutageTakesEffectWhenZooKeeperIsBack() throws Exception {
        // A session long enough to survive the restart: the node is not removed by an expiry.
        ZooKeeperRegistry provider =
                open(registry(zk.getConnectString(), cacheDir).sessionTimeout(Duration.ofSeconds(8)));
        ZooKeeperRegistry consumer =
                open(registry(zk.getConnectString(), cacheDir).sessionTimeout(Duration.ofSeconds(8)));
        provider.register(instance(7001));
        provider.register(instance(7002));
        ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
        consumer.subscribe(SERVICE, recorder);
        assertThat(recorder.lastIds()).hasSize(2);
        long session = provider.curator().getZookeeperClient().getZooKeeper().getSessionId();

        zk.stop();
        await().atMost(Duration.ofSeconds(5)).until(() -> !provider.connected());
        long start = System.nanoTime();
        provider.unregister(instance(7001));
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(500); // does not wait for ZooKeeper
        zk.restart();

        await().atMost(Duration.ofSeconds(10))
                .until(() -> Set.of("127.0.0.1:7002").equals(recorder.lastIds()));
        // Same session throughout: the node was deleted by the pending unregister, not by an expiry.
        assertThat(provider.curator().getZookeeperClient().getZooKeeper().getSessionId())
                .isEqualTo(session);
        assertThat(consumer.curator()
                        .checkExists()
                        .forPath(ZooKeeperLayout.DEFAULT.provider(SERVICE, "127.0.0.1:7001")))
                .isNull();
    }

    @Test
    void consumerStartedWhileZooKeeperIsDownStartsFromTheFileCacheThenReconciles() throws Exception {
        ZooKeeperRegistry provider = open();
        provider.register(instance(7001));
        try (ZooKeeperRegistry earlier =
                registry(zk.getConnectString(), cacheDir).build()) {
            // An earlier run of the consumer leaves its snapshot behind.
            ZooKeeperTesting.Recorder r = new ZooKeeperTesting.Recorder();
            earlier.subscribe(SERVICE, r);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> Set.of("127.0.0.1:7001").equals(r.lastIds()));
        }
        Path file = cacheDir.resolve("demo.UserService.json");
        assertThat(file).exists();

        zk.stop();
        ZooKeeperRegistry consumer = open(registry(zk.getConnectString(), cacheDir));
        ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
        long start = System.nanoTime();
        consumer.subscribe(SERVICE, recorder);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;

        // subscribe() returned with the file's list once the 500 ms startup wait (counted from when the
        // registry was opened, so part of it may have passed already) was over.
        assertThat(recorder.lastIds()).containsExactly("127.0.0.1:7001");
        assertThat(recorder.lastOrigin()).isEqualTo(InstanceOrigin.FILE_CACHE);
        assertThat(tookMillis).isLessThan(2500L);

        zk.restart();
        ZooKeeperRegistry newcomer = open();
        newcomer.register(instance(7002));

        await().atMost(Duration.ofSeconds(10))
                .until(() -> recorder.lastIds().contains("127.0.0.1:7002")
                        && recorder.lastOrigin() != InstanceOrigin.FILE_CACHE);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Set.of("127.0.0.1:7001", "127.0.0.1:7002").equals(recorder.lastIds())
                        && recorder.lastOrigin() == InstanceOrigin.REGISTRY);
        assertThat(recorder.lists).noneMatch(List::isEmpty);
        // The reconciled list is written back for the next start.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> java.nio.file.Files.readString(file).contains("\"port\" : 7002"));
    }

    @Test
    void consumerWithoutFileStartsEmptyThenFillsIn() throws Exception {
        zk.stop();
        ZooKeeperRegistry consumer = open(registry(zk.getConnectString(), cacheDir));
        ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
        consumer.subscribe(SERVICE, recorder);
        assertThat(recorder.last()).isEmpty();
        assertThat(recorder.lastOrigin()).isEqualTo(InstanceOrigin.FILE_CACHE);

        zk.restart();
        open().register(instance(7001));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Set.of("127.0.0.1:7001").equals(recorder.lastIds()));
    }

    @Test
    void burstsOfChangesAreCoalesced() {
        ZooKeeperRegistry consumer =
                open(registry(zk.getConnectString(), cacheDir).coalescingWindow(Duration.ofMillis(300)));
        ZooKeeperRegistry provider = open();
        ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
        consumer.subscribe(SERVICE, recorder);
        assertThat(recorder.last()).isEmpty();

        for (int port = 7001; port <= 7030; port++) { // a mass restart: 30 providers at once
            provider.register(instance(port));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> recorder.last().size() == 30);
        // 30 node creations reach the consumer as a handful of lists, not 30.
        assertThat(recorder.lists.size() - 1).isBetween(1, 6);
    }

    @Test
    void subscriptionCloseStopsDeliveriesAndSharedWatchesSurvive() {
        ZooKeeperRegistry consumer = open();
        ZooKeeperRegistry provider = open();
        provider.register(instance(7001));
        ZooKeeperTesting.Recorder first = new ZooKeeperTesting.Recorder();
        ZooKeeperTesting.Recorder second = new ZooKeeperTesting.Recorder();
        Subscription s1 = consumer.subscribe(SERVICE, first);
        consumer.subscribe(SERVICE, second);
        assertThat(first.lastIds()).containsExactly("127.0.0.1:7001");
        assertThat(second.lastIds()).containsExactly("127.0.0.1:7001");

        s1.close();
        s1.close(); // idempotent
        provider.register(instance(7002));
        await().atMost(Duration.ofSeconds(5)).until(() -> second.lastIds().size() == 2);
        assertThat(first.lists).hasSize(1);
    }

    @Test
    void aMalformedProviderNodeIsIgnoredNotFatal() throws Exception {
        ZooKeeperRegistry consumer = open();
        ZooKeeperRegistry provider = open();
        provider.register(instance(7001));
        CuratorFramework client = provider.curator();
        client.create()
                .creatingParentContainersIfNeeded()
                .forPath(ZooKeeperLayout.DEFAULT.provider(SERVICE, "127.0.0.1:9999"), "{not json".getBytes());
        ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
        try (ZooKeeperTesting.LogCapture log = new ZooKeeperTesting.LogCapture()) {
            consumer.subscribe(SERVICE, recorder);
            assertThat(recorder.lastIds()).containsExactly("127.0.0.1:7001");
            assertThat(log.text()).contains("ignoring provider node").contains("127.0.0.1:9999");
        }
        assertThat(InstanceJson.toBytes(instance(7001))).isNotEmpty();
    }

    private static ServiceInstance first(List<ServiceInstance> list) {
        return list == null || list.isEmpty() ? null : list.get(0);
    }
}
