package io.outrigger.registry;

import static io.outrigger.registry.ZooKeeperTesting.SERVICE;
import static io.outrigger.registry.ZooKeeperTesting.instance;
import static io.outrigger.registry.ZooKeeperTesting.registry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.outrigger.registry.internal.ZooKeeperLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Digest credentials: nodes written can be read by all but changed only with the credentials. */
class AclTest {

    @TempDir
    Path cacheDir;

    private static CuratorFramework client(String connect, String credentials) {
        CuratorFrameworkFactory.Builder b =
                CuratorFrameworkFactory.builder().connectString(connect).retryPolicy(new RetryOneTime(100));
        if (credentials != null) {
            b.authorization("digest", credentials.getBytes(StandardCharsets.UTF_8));
        }
        CuratorFramework c = b.build();
        c.start();
        return c;
    }

    @Test
    void othersCanReadButNotDeleteOrOverwrite() throws Exception {
        try (TestingServer zk = ZooKeeperTesting.server();
                ZooKeeperRegistry provider = registry(zk.getConnectString(), cacheDir)
                        .credentials("orders", "s3cret")
                        .build();
                ZooKeeperRegistry anonymousConsumer =
                        registry(zk.getConnectString(), cacheDir).build();
                CuratorFramework stranger = client(zk.getConnectString(), null);
                CuratorFramework impostor = client(zk.getConnectString(), "orders:wrong");
                CuratorFramework owner = client(zk.getConnectString(), "orders:s3cret")) {
            provider.register(instance(7001));
            provider.ruleSource().publish(SERVICE, "{\"timeoutMillis\":800}");
            String node = ZooKeeperLayout.DEFAULT.provider(SERVICE, "127.0.0.1:7001");
            String rules = ZooKeeperLayout.DEFAULT.rules(SERVICE);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> stranger.checkExists().forPath(node) != null);

            // Everyone may read: consumers need no credentials.
            ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
            anonymousConsumer.subscribe(SERVICE, recorder);
            assertThat(recorder.lastIds()).isEqualTo(Set.of("127.0.0.1:7001"));
            assertThat(stranger.getData().forPath(rules)).isNotEmpty();

            for (CuratorFramework intruder : new CuratorFramework[] {stranger, impostor}) {
                assertThatThrownBy(() -> intruder.delete().forPath(node))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> intruder.setData().forPath(node, "{}".getBytes()))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> intruder.create()
                                .withMode(CreateMode.EPHEMERAL)
                                .forPath(ZooKeeperLayout.DEFAULT.provider(SERVICE, "10.0.0.1:1")))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> intruder.setData().forPath(rules, "{}".getBytes()))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() -> intruder.delete().forPath(rules))
                        .isInstanceOf(KeeperException.NoAuthException.class);
            }
            try (ZooKeeperRuleSource anonymousRules =
                    ZooKeeperRuleSource.builder(zk.getConnectString()).build()) {
                assertThatThrownBy(() -> anonymousRules.publish(SERVICE, "{}"))
                        .isInstanceOf(RegistryException.class)
                        .hasMessageContaining("not allowed by the node's ACL");
            }
            assertThat(stranger.checkExists().forPath(node)).isNotNull();

            // The same credentials may change them: the ACL is the digest identity, not the session.
            owner.setData().forPath(rules, "{\"timeoutMillis\":900}".getBytes());
            assertThat(new String(stranger.getData().forPath(rules), StandardCharsets.UTF_8))
                    .contains("900");
        }
    }

    @Test
    void worldReadableFalseHidesNodesFromOthers() throws Exception {
        try (TestingServer zk = ZooKeeperTesting.server();
                ZooKeeperRegistry provider = registry(zk.getConnectString(), cacheDir)
                        .credentials("orders", "s3cret")
                        .worldReadable(false)
                        .build();
                CuratorFramework stranger = client(zk.getConnectString(), null)) {
            provider.register(instance(7001));
            String node = ZooKeeperLayout.DEFAULT.provider(SERVICE, "127.0.0.1:7001");
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> provider.curator().checkExists().forPath(node) != null);
            assertThatThrownBy(() -> stranger.getData().forPath(node))
                    .isInstanceOf(KeeperException.NoAuthException.class);
        }
    }
}
