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
import io.outrigger.serialization.testing.TestMessages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rule written to ZooKeeper changes where real calls go, within 2 s. */
class EndToEndRulesTest {

    @TempDir
    Path cache;

    @Test
    void versionRoutingAndACanarySplitPublishedInZooKeeperApplyWithinTwoSeconds() throws Exception {
        try (TestingServer zk = ZooKeeperTesting.server()) {
            String connect = zk.getConnectString();
            try (Provider v1 = new Provider(registry(connect, cache).build(), Duration.ZERO, b -> b.version("1.4.0"));
                    Provider v2 =
                            new Provider(registry(connect, cache).build(), Duration.ZERO, b -> b.version("2.0.0"));
                    ZooKeeperRegistry consumer = registry(connect, cache).build();
                    LiveRules rules = LiveRules.from(consumer.ruleSource());
                    RpcClient client = ClientGovernance.builder()
                            .rules(rules)
                            .loadBalancing(LoadBalancing.ROUND_ROBIN)
                            .warmUp(Duration.ZERO)
                            .build()
                            .applyTo(RpcClient.builder().registry(consumer))
                            .build();
                    ZooKeeperRuleSource tool = ZooKeeperRuleSource.builder(connect)
                            .connectionTimeout(Duration.ofSeconds(1))
                            .build()) {
                EchoService echo = client.refer(EchoService.class);
                await().atMost(Duration.ofSeconds(5))
                        .until(() ->
                                ZooKeeperTesting.ids(consumer.instances(ECHO)).equals(Set.of(v1.id(), v2.id())));
                for (int i = 0; i < 20; i++) {
                    echo.echo(TestMessages.echoRequest("before"));
                }
                assertThat(v1.impl.completed.get()).isPositive();
                assertThat(v2.impl.completed.get()).isPositive();

                // Version routing: only 2.x from now on.
                long published = System.nanoTime();
                tool.publish(ECHO, "{\"description\": \"2.0 only\", \"routing\": {\"versions\": [\"2.*\"]}}");
                long appliedAt = 0;
                int streak = 0;
                while (streak < 50) {
                    assertThat((System.nanoTime() - published) / 1_000_000)
                            .as("rule applied")
                            .isLessThan(2_000);
                    int before = v1.impl.completed.get();
                    long t = System.nanoTime();
                    echo.echo(TestMessages.echoRequest("after"));
                    if (v1.impl.completed.get() == before) {
                        if (streak++ == 0) {
                            appliedAt = t;
                        }
                    } else {
                        streak = 0;
                    }
                    RpcTesting.pause(1);
                }
                long versionMillis = (appliedAt - published) / 1_000_000;

                // A canary split: 20% to 2.x, the rest to the others.
                long splitPublished = System.nanoTime();
                tool.publish(ECHO, "{\"routing\": {\"splits\": [{\"version\": \"2.*\", \"percent\": 20}]}}");
                await().atMost(Duration.ofSeconds(2))
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> rules.current(ECHO).contains("splits"));
                long splitMillis = (System.nanoTime() - splitPublished) / 1_000_000;
                int v1Before = v1.impl.completed.get();
                int v2Before = v2.impl.completed.get();
                int calls = 1000;
                for (int i = 0; i < calls; i++) {
                    echo.echo(TestMessages.echoRequest("split"));
                }
                double canaryShare = (v2.impl.completed.get() - v2Before) / (double) calls;
                assertThat(v1.impl.completed.get() - v1Before + v2.impl.completed.get() - v2Before)
                        .isEqualTo(calls);
                RpcTesting.report(
                        "rules from ZooKeeper",
                        "version routing applied " + versionMillis + " ms after publish; split rule in force after "
                                + splitMillis + " ms; 2.x share over " + calls + " calls "
                                + String.format("%.1f%%", canaryShare * 100) + " (rule: 20%)");
                assertThat(versionMillis).isLessThan(2_000);
                assertThat(canaryShare).isBetween(0.15, 0.25);
            }
        }
    }
}
