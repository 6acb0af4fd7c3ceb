package io.outrigger.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.actuate.info.Info;
import org.springframework.context.ConfigurableApplicationContext;

/** A provider application and a consumer application on a real ZooKeeper call each other. */
class ProviderConsumerTest {

    @TempDir
    Path cache;

    @Test
    void consumerCallsProviderThroughFieldAndConstructorReferences() throws Exception {
        try (TestingServer zk = TestApps.zooKeeper();
                ConfigurableApplicationContext provider = TestApps.run(TestApps.Provider.class, props(zk, "p1"));
                ConfigurableApplicationContext consumer = TestApps.run(TestApps.Consumer.class, props(zk, "c"))) {
            OutriggerServer server = provider.getBean(OutriggerServer.class);
            assertThat(server.state()).isEqualTo(OutriggerServer.State.RUNNING);
            assertThat(server.port()).isPositive();
            assertThat(server.exported()).singleElement().satisfies(e -> {
                assertThat(e.service()).isEqualTo("test.EchoService");
                assertThat(e.version()).isEqualTo("1.2");
                assertThat(e.tags()).containsExactly("blue");
            });

            TestApps.Caller caller = consumer.getBean(TestApps.Caller.class);
            assertThat(caller.echo(caller.viaField, "hi")).isEqualTo("hi from p1");
            assertThat(caller.echo(caller.viaConstructor, "ho")).isEqualTo("ho from p1");
            // One client for both references: same version and group.
            assertThat(consumer.getBean(OutriggerClients.class).clients()).hasSize(1);
            // The consumer exports nothing, so it runs no server.
            assertThat(consumer.getBean(OutriggerServer.class).state()).isEqualTo(OutriggerServer.State.IDLE);

            Health health = consumer.getBean(OutriggerHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(provider.getBean(OutriggerHealthIndicator.class).health().getStatus())
                    .isEqualTo(Status.UP);

            Info.Builder info = new Info.Builder();
            consumer.getBean(OutriggerInfoContributor.class).contribute(info);
            assertThat(info.build().getDetails().toString())
                    .contains("test.EchoService", "field 'viaField'", "constructor parameter", "localEcho");
            Info.Builder providerInfo = new Info.Builder();
            provider.getBean(OutriggerInfoContributor.class).contribute(providerInfo);
            assertThat(providerInfo.build().getDetails().toString()).contains("exported", "test.EchoService", "1.2");
        }
    }

    @Test
    void healthIsDegradedWhileZooKeeperIsDownAndCallsStillSucceedFromTheCache() throws Exception {
        TestingServer zk = TestApps.zooKeeper();
        try (zk;
                ConfigurableApplicationContext provider = TestApps.run(TestApps.Provider.class, props(zk, "p1"));
                ConfigurableApplicationContext consumer = TestApps.run(TestApps.Consumer.class, props(zk, "c"))) {
            TestApps.Caller caller = consumer.getBean(TestApps.Caller.class);
            OutriggerHealthIndicator health = consumer.getBean(OutriggerHealthIndicator.class);
            assertThat(caller.echo(caller.viaConstructor, "before")).isEqualTo("before from p1");
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);

            zk.stop();

            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(
                            () -> assertThat(health.health().getStatus()).isEqualTo(OutriggerHealthIndicator.DEGRADED));
            Health degraded = health.health();
            assertThat(degraded.getDetails().get("registry"))
                    .isEqualTo(Map.of("address", "zookeeper://" + zk.getConnectString(), "connected", false));
            assertThat(degraded.getDetails().get("references").toString())
                    .contains("test.EchoService", "providers=1", "source=memory-cache");
            for (int i = 0; i < 20; i++) {
                assertThat(caller.echo(caller.viaConstructor, "during")).isEqualTo("during from p1");
            }
            assertThat(provider.getBean(OutriggerHealthIndicator.class).health().getStatus())
                    .isEqualTo(OutriggerHealthIndicator.DEGRADED);

            zk.restart();
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(health.health().getStatus()).isEqualTo(Status.UP));
            assertThat(caller.echo(caller.viaConstructor, "after")).isEqualTo("after from p1");
        }
    }

    @Test
    void fallbackAnswersWhenNoProviderIsLeft() throws Exception {
        try (TestingServer zk = TestApps.zooKeeper();
                ConfigurableApplicationContext consumer = TestApps.run(TestApps.Consumer.class, props(zk, "c"))) {
            TestApps.Caller caller = consumer.getBean(TestApps.Caller.class);
            assertThat(caller.echo(caller.viaField, "hi")).isEqualTo("hi from fallback");
            assertThat(consumer.getBean(OutriggerHealthIndicator.class).health().getStatus())
                    .isEqualTo(Status.UP);
        }
    }

    @Test
    void anRpcReferenceUsedInsideAnRpcServiceInheritsTheDeadlineAndTheConfiguredKeys() throws Exception {
        try (TestingServer zk = TestApps.zooKeeper();
                ConfigurableApplicationContext provider = TestApps.run(TestApps.Provider.class, props(zk, "p1"));
                ConfigurableApplicationContext middle = TestApps.run(
                        TestApps.MiddleApp.class,
                        with(
                                props(zk, "m"),
                                "outrigger.client.propagate-keys=tenant",
                                "outrigger.client.deadline-margin=50ms"));
                ConfigurableApplicationContext front = TestApps.run(TestApps.FrontApp.class, props(zk, "f"))) {
            TestApps.Front caller = front.getBean(TestApps.Front.class);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(caller.middle
                                    .hop(
                                            io.outrigger.serialization.testing.proto.EchoRequest.newBuilder()
                                                    .setText("hop")
                                                    .build(),
                                            null)
                                    .getText())
                            .isEqualTo("hop from p1"));

            String seen = provider.getBean(TestApps.Echo.class).lastContext;
            // The middle's own 10 s were capped by the front's 800 ms, less the 50 ms margin.
            assertThat(Long.parseLong(seen.substring(0, seen.indexOf("ms")))).isBetween(1L, 750L);
            assertThat(seen).endsWith("tenant=acme secret=null");
        }
    }

    @Test
    void streamingMethodsWorkThroughRpcServiceAndRpcReferenceWithNoExtraConfiguration() throws Exception {
        try (TestingServer zk = TestApps.zooKeeper();
                ConfigurableApplicationContext provider = TestApps.run(TestApps.StreamProvider.class, props(zk, "p1"));
                ConfigurableApplicationContext consumer = TestApps.run(TestApps.StreamConsumer.class, props(zk, "c"))) {
            io.outrigger.core.testing.StreamService streams = consumer.getBean(TestApps.StreamCaller.class).streams;

            io.outrigger.core.testing.TestSubscriber<io.outrigger.serialization.testing.proto.EchoReply> s =
                    new io.outrigger.core.testing.TestSubscriber<>(Long.MAX_VALUE);
            streams.count(io.outrigger.serialization.testing.proto.EchoRequest.newBuilder()
                            .setText("n")
                            .setSleepMillis(50)
                            .build())
                    .subscribe(s);
            assertThat(s.done.get(20, java.util.concurrent.TimeUnit.SECONDS)).isNull();
            assertThat(s.items).hasSize(50);
            assertThat(s.items.get(49).getText()).isEqualTo("n-49");

            java.util.concurrent.Flow.Publisher<io.outrigger.serialization.testing.proto.EchoRequest> abc =
                    io.outrigger.core.stream.Streams.publisher(java.util.concurrent.ForkJoinPool.commonPool(), sink -> {
                        for (String t : List.of("a", "b", "c")) {
                            sink.send(io.outrigger.serialization.testing.proto.EchoRequest.newBuilder()
                                    .setText(t)
                                    .build());
                        }
                    });
            assertThat(streams.join(abc)
                            .toCompletableFuture()
                            .get(20, java.util.concurrent.TimeUnit.SECONDS)
                            .getText())
                    .isEqualTo("abc");
        }
    }

    private static List<String> with(List<String> props, String... more) {
        List<String> p = new ArrayList<>(props);
        p.addAll(List.of(more));
        return p;
    }

    private List<String> props(TestingServer zk, String name) {
        List<String> p = new ArrayList<>(TestApps.common(zk, cache));
        p.add("test.name=" + name);
        p.add("outrigger.server.propagation-delay=200ms");
        return p;
    }
}
