package io.outrigger.registry;

import static io.outrigger.registry.ZooKeeperTesting.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rules documents watched in ZooKeeper: current value, changes, deletion. */
class ZooKeeperRuleSourceTest {

    private TestingServer zk;
    private ZooKeeperRuleSource rules;

    @BeforeEach
    void start() throws Exception {
        zk = ZooKeeperTesting.server();
        rules = ZooKeeperRuleSource.builder(zk.getConnectString())
                .sessionTimeout(Duration.ofSeconds(2))
                .connectionTimeout(Duration.ofSeconds(1))
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        rules.close();
        zk.close();
    }

    /** Records deliveries; null documents recorded as "null". */
    private static final class Documents {
        final List<String> seen = Collections.synchronizedList(new ArrayList<>());

        String last() {
            synchronized (seen) {
                return seen.isEmpty() ? "<nothing>" : seen.get(seen.size() - 1);
            }
        }
    }

    @Test
    void deliversCurrentDocumentChangesAndDeletion() {
        Documents docs = new Documents();
        Subscription watch = rules.watch(SERVICE, (service, json) -> docs.seen.add(Objects.toString(json)));
        await().atMost(Duration.ofSeconds(5)).until(() -> docs.last().equals("null")); // none yet

        rules.publish(SERVICE, "{\"timeoutMillis\":800}");
        await().atMost(Duration.ofSeconds(5)).until(() -> docs.last().equals("{\"timeoutMillis\":800}"));
        assertThat(rules.read(SERVICE)).contains("{\"timeoutMillis\":800}");

        rules.publish(SERVICE, "{\"timeoutMillis\":900}");
        await().atMost(Duration.ofSeconds(5)).until(() -> docs.last().equals("{\"timeoutMillis\":900}"));

        assertThat(rules.delete(SERVICE)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> docs.last().equals("null"));
        assertThat(rules.read(SERVICE)).isEmpty();
        assertThat(rules.delete(SERVICE)).isFalse();

        rules.publish(SERVICE, "{\"timeoutMillis\":1000}"); // re-created after deletion
        await().atMost(Duration.ofSeconds(5)).until(() -> docs.last().equals("{\"timeoutMillis\":1000}"));
        assertThat(docs.seen)
                .containsExactly(
                        "null",
                        "{\"timeoutMillis\":800}",
                        "{\"timeoutMillis\":900}",
                        "null",
                        "{\"timeoutMillis\":1000}");

        watch.close();
        rules.publish(SERVICE, "{\"timeoutMillis\":1}");
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> docs.seen.size() == 5);
    }

    @Test
    void existingDocumentIsDeliveredFirstAndServicesAreSeparate() {
        rules.publish(SERVICE, "{\"a\":1}");
        rules.publish("demo.Other", "{\"b\":2}");
        Documents docs = new Documents();
        rules.watch(SERVICE, (service, json) -> docs.seen.add(service + "=" + json));
        await().atMost(Duration.ofSeconds(5)).until(() -> docs.last().equals(SERVICE + "={\"a\":1}"));
        rules.publish("demo.Other", "{\"b\":3}");
        rules.publish(SERVICE, "{\"a\":2}");
        await().atMost(Duration.ofSeconds(5)).until(() -> docs.last().equals(SERVICE + "={\"a\":2}"));
        assertThat(docs.seen).allMatch(s -> s.startsWith(SERVICE + "="));
    }

    @Test
    void registryRuleSourceSharesTheConnection() throws Exception {
        try (ZooKeeperRegistry registry = ZooKeeperTesting.registry(
                        zk.getConnectString(), java.nio.file.Path.of("target/unused"))
                .fileCache(false)
                .build()) {
            Documents docs = new Documents();
            registry.ruleSource().watch(SERVICE, (service, json) -> docs.seen.add(Objects.toString(json)));
            rules.publish(SERVICE, "{\"degrade\":true}");
            await().atMost(Duration.ofSeconds(5)).until(() -> docs.last().equals("{\"degrade\":true}"));
            assertThat(registry.ruleSource()).isSameAs(registry.ruleSource());
        }
    }

    @Test
    void rejectsInvalidDocumentsAndNames() {
        assertThatThrownBy(() -> rules.publish(SERVICE, "{\"unclosed\": "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> rules.publish(SERVICE, "[1,2]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> rules.watch("a/b", (s, j) -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without '/'");
        assertThat(rules.read(SERVICE)).isEmpty();
    }

    @Test
    void unreachableZooKeeperIsARegistryException() throws Exception {
        zk.stop();
        assertThatThrownBy(() -> rules.publish(SERVICE, "{}"))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("cannot publish rules of demo.UserService");
    }
}
