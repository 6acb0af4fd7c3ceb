package io.outrigger.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.core.registry.ServiceInstance;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Eager validation with the expected range in the message. */
class ZooKeeperRegistryBuilderTest {

    @Test
    void rejectsBadSettingsEagerly() {
        ZooKeeperRegistry.Builder b = ZooKeeperRegistry.builder("127.0.0.1:2181");
        assertThatThrownBy(() -> b.sessionTimeout(Duration.ZERO))
                .hasMessage("sessionTimeout: PT0S (expected: > 0 and < 24 days)");
        assertThatThrownBy(() -> b.connectionTimeout(Duration.ofMillis(-1)))
                .hasMessageContaining("connectionTimeout: PT-0.001S (expected: > 0");
        assertThatThrownBy(() -> b.pushProtectionThreshold(1.5))
                .hasMessage("pushProtectionThreshold: 1.5 (expected: 0.0..1.0)");
        assertThatThrownBy(() -> b.pushProtectionThreshold(Double.NaN))
                .hasMessageContaining("pushProtectionThreshold: NaN");
        assertThatThrownBy(() -> b.confirmationDelay(Duration.ZERO)).hasMessageContaining("confirmationDelay: PT0S");
        assertThatThrownBy(() -> b.coalescingWindow(Duration.ofSeconds(-1)))
                .hasMessageContaining("coalescingWindow: PT-1S (expected: >= 0");
        assertThatThrownBy(() -> b.startupWait(Duration.ofSeconds(-1))).hasMessageContaining("startupWait");
        assertThatThrownBy(() -> b.namespace("/outrigger")).hasMessageContaining("namespace: \"/outrigger\"");
        assertThatThrownBy(() -> b.credentials("a:b", "x")).hasMessageContaining("user: \"a:b\"");
        assertThatThrownBy(() -> ZooKeeperRegistry.builder(""))
                .hasMessageContaining("connectString: \"\" (expected: host:port");
        assertThatThrownBy(() -> ZooKeeperRegistry.builder("zk1:2181, zk2:2181"))
                .hasMessageContaining("no spaces");
        // Accepted: several hosts and a chroot; an empty namespace; zero coalescing.
        ZooKeeperRegistry.builder("zk1:2181,zk2:2181/apps/rpc")
                .namespace("")
                .coalescingWindow(Duration.ZERO)
                .startupWait(Duration.ZERO)
                .pushProtectionThreshold(1.0);
    }

    @Test
    void rejectsServiceNamesThatCannotBeANode() {
        try (ZooKeeperRegistry registry = ZooKeeperRegistry.builder("127.0.0.1:1")
                .cacheDirectory(Path.of("target/unused"))
                .startupWait(Duration.ZERO)
                .build()) {
            assertThatThrownBy(() -> registry.subscribe("a/b", (s, l) -> {}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("service: \"a/b\"");
            assertThatThrownBy(() -> registry.register(
                            ServiceInstance.builder("..", "127.0.0.1", 1).build()))
                    .isInstanceOf(IllegalArgumentException.class);
            registry.unregister(
                    ServiceInstance.builder("demo.Unknown", "127.0.0.1", 1).build()); // ignored
        }
    }

    @Test
    void defaultCacheDirectoryIsPerEnsembleAndNamespace() {
        try (ZooKeeperRegistry a = ZooKeeperRegistry.builder("127.0.0.1:1")
                        .startupWait(Duration.ZERO)
                        .build();
                ZooKeeperRegistry b = ZooKeeperRegistry.builder("127.0.0.1:1")
                        .namespace("other")
                        .startupWait(Duration.ZERO)
                        .build()) {
            assertThat(a.cacheDirectory().toString()).endsWith("outrigger@127.0.0.1_1");
            assertThat(b.cacheDirectory()).isNotEqualTo(a.cacheDirectory());
            assertThat(a.cacheDirectory()).startsWithRaw(Path.of(System.getProperty("user.home"), ".outrigger"));
        }
    }
}
