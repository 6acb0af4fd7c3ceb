package io.outrigger.registry;

import static io.outrigger.registry.RpcTesting.ECHO;
import static io.outrigger.registry.ZooKeeperTesting.registry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.testing.EchoService;
import io.outrigger.governance.ClientGovernance;
import io.outrigger.governance.LiveRules;
import io.outrigger.governance.LoadBalancing;
import io.outrigger.registry.RpcTesting.Provider;
import io.outrigger.registry.ZooKeeperTesting.LogCapture;
import io.outrigger.serialization.testing.TestMessages;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule file cache: a consumer restarted while ZooKeeper is down starts with the rules it last
 * read, and takes ZooKeeper's rules again once it answers.
 */
class RuleFileCacheTest {

    private static final String V2_ONLY = "{\"description\": \"2.x only\", \"routing\": {\"versions\": [\"2.*\"]}}";
    private static final String V1_ONLY = "{\"description\": \"1.x only\", \"routing\": {\"versions\": [\"1.*\"]}}";

    @TempDir
    Path providerCache;

    @TempDir
    Path consumerCache;

    /** A consumer: its own registry (and so its own ZooKeeper session), rules and client. */
    private static final class Consumer implements AutoCloseable {
        final ZooKeeperRegistry registry;
        final LiveRules rules;
        final RpcClient client;
        final EchoService echo;

        Consumer(String connect, Path cache) {
            registry = registry(connect, cache).build();
            rules = LiveRules.from(registry.ruleSource());
            client = ClientGovernance.builder()
                    .rules(rules)
                    .loadBalancing(LoadBalancing.ROUND_ROBIN)
                    .warmUp(Duration.ZERO)
                    .build()
                    .applyTo(RpcClient.builder().registry(registry).defaultTimeout(Duration.ofSeconds(3)))
                    .build();
            echo = client.refer(EchoService.class);
        }

        @Override
        public void close() {
            client.close();
            rules.close();
            registry.close();
        }
    }

    /** How many of {@code n} calls each provider answered. */
    private static int[] spread(Consumer consumer, Provider v1, Provider v2, int n) {
        int before1 = v1.impl.completed.get();
        int before2 = v2.impl.completed.get();
        for (int i = 0; i < n; i++) {
            consumer.echo.echo(TestMessages.echoRequest("call " + i));
        }
        return new int[] {v1.impl.completed.get() - before1, v2.impl.completed.get() - before2};
    }

    @Test
    void aConsumerRestartedDuringAnOutageRoutesByItsCachedRulesThenByZooKeepersAgain() throws Exception {
        try (TestingServer zk = ZooKeeperTesting.server()) {
            String connect = zk.getConnectString();
            try (Provider v1 = new Provider(
                            registry(connect, providerCache).build(), Duration.ZERO, b -> b.version("1.4.0"));
                    Provider v2 = new Provider(
                            registry(connect, providerCache).build(), Duration.ZERO, b -> b.version("2.0.0"));
                    ZooKeeperRuleSource tool = ZooKeeperRuleSource.builder(connect)
                            .connectionTimeout(Duration.ofSeconds(1))
                            .build()) {
                Path ruleFile = consumerCache.resolve("rules").resolve(ECHO + ".json");

                // A first consumer reads the rule (2.x only) from ZooKeeper and caches it.
                tool.publish(ECHO, V2_ONLY);
                try (Consumer first = new Consumer(connect, consumerCache)) {
                    await().atMost(Duration.ofSeconds(5))
                            .until(() -> first.rules.current(ECHO).equals(V2_ONLY));
                    await().atMost(Duration.ofSeconds(5))
                            .until(() -> ZooKeeperTesting.ids(first.registry.instances(ECHO))
                                    .equals(Set.of(v1.id(), v2.id())));
                    assertThat(spread(first, v1, v2, 20)).containsExactly(0, 20);
                    assertThat(first.registry.ruleSource().cacheDirectory())
                            .isEqualTo(consumerCache.resolve("rules").toAbsolutePath());
                    await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(ruleFile));
                    assertThat(Files.readString(ruleFile)).contains("\"format\" : 1", "2.x only");
                }

                // ZooKeeper goes down; a consumer started now has only the file caches.
                zk.stop();
                try (LogCapture log = new LogCapture();
                        Consumer second = new Consumer(connect, consumerCache)) {
                    await().atMost(Duration.ofSeconds(5))
                            .until(() -> second.rules.current(ECHO).equals(V2_ONLY));
                    assertThat(second.registry.connected()).isFalse();
                    assertThat(second.registry.origin(ECHO)).isEqualTo(InstanceOrigin.FILE_CACHE);
                    assertThat(spread(second, v1, v2, 20)).containsExactly(0, 20);
                    assertThat(log.text())
                            .contains("applying the rules of " + ECHO + " from the file cache "
                                    + ruleFile.toAbsolutePath());

                    // ZooKeeper is back, and the rule changed meanwhile: the new one applies and is cached.
                    zk.restart();
                    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                        tool.publish(ECHO, V1_ONLY); // fails with RegistryException until the tool reconnects
                        return true;
                    });
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> second.rules.current(ECHO).equals(V1_ONLY));
                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> ZooKeeperTesting.ids(second.registry.instances(ECHO))
                                    .equals(Set.of(v1.id(), v2.id())));
                    assertThat(spread(second, v1, v2, 20)).containsExactly(20, 0);
                    await().atMost(Duration.ofSeconds(5))
                            .until(() -> Files.readString(ruleFile).contains("1.x only"));
                }
            }
        }
    }

    @Test
    void aRuleDeletedWhileTheConsumerWasDownIsDeletedFromTheCache() throws Exception {
        try (TestingServer zk = ZooKeeperTesting.server()) {
            String connect = zk.getConnectString();
            Path ruleFile = consumerCache.resolve("rules").resolve("demo.Deleted.json");
            try (ZooKeeperRuleSource tool = ZooKeeperRuleSource.builder(connect)
                    .connectionTimeout(Duration.ofSeconds(1))
                    .build()) {
                tool.publish("demo.Deleted", "{\"timeouts\": {\"*\": 500}}");
                try (ZooKeeperRegistry consumer =
                        registry(connect, consumerCache).build()) {
                    Documents docs = new Documents();
                    consumer.ruleSource().watch("demo.Deleted", docs::record);
                    await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(ruleFile));
                }
                assertThat(tool.delete("demo.Deleted")).isTrue();
                try (ZooKeeperRegistry consumer =
                        registry(connect, consumerCache).build()) {
                    Documents docs = new Documents();
                    consumer.ruleSource().watch("demo.Deleted", docs::record);
                    await().atMost(Duration.ofSeconds(5)).until(() -> !Files.exists(ruleFile));
                    await().atMost(Duration.ofSeconds(5)).until(() -> docs.seen.equals(List.of("null")));
                }
            }
        }
    }

    @Test
    void aCorruptRuleFileIsReportedByNameAndTheServiceStartsWithoutThoseRules() throws Exception {
        String nowhere;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nowhere = "127.0.0.1:" + s.getLocalPort();
        }
        Path rules = Files.createDirectories(consumerCache.resolve("rules"));
        Path corrupt = rules.resolve("demo.Broken.json");
        Files.writeString(corrupt, "{\"format\": 1, \"service\": \"demo.Broken\", \"docu", StandardCharsets.UTF_8);
        Path other = rules.resolve("demo.Fine.json");
        Files.writeString(
                other, "{\"format\": 1, \"service\": \"demo.Fine\", \"document\": \"{\\\"degrade\\\": [\\\"*\\\"]}\"}");

        try (LogCapture log = new LogCapture();
                ZooKeeperRegistry consumer = registry(nowhere, consumerCache)
                        .startupWait(Duration.ofMillis(300))
                        .build()) {
            Documents broken = new Documents();
            Documents fine = new Documents();
            consumer.ruleSource().watch("demo.Broken", broken::record);
            consumer.ruleSource().watch("demo.Fine", fine::record);
            await().atMost(Duration.ofSeconds(5)).until(() -> fine.seen.equals(List.of("{\"degrade\": [\"*\"]}")));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> log.text().contains("ignoring corrupt rule cache file " + corrupt.toAbsolutePath()));
            assertThat(log.text()).contains("not valid JSON", "demo.Broken starts without those rules");
            assertThat(broken.seen).isEmpty();
            assertThat(corrupt).exists(); // left for a person to look at; ZooKeeper's next document replaces it
        }
    }

    /** Records deliveries; null documents recorded as "null". */
    private static final class Documents {
        final List<String> seen = Collections.synchronizedList(new ArrayList<>());

        void record(String service, String json) {
            seen.add(Objects.toString(json));
        }
    }
}
