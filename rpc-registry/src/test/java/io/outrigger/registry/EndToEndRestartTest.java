package io.outrigger.registry;

import static io.outrigger.registry.RpcTesting.ECHO;
import static io.outrigger.registry.ZooKeeperTesting.registry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.serialization.testing.TestMessages;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A provider killed and restarted at the same address before its session expired: its node never
 * leaves the consumer's list, yet the consumer sees a new process (a new incarnation).
 */
class EndToEndRestartTest {

    @TempDir
    Path providerCache;

    @TempDir
    Path consumerCache;

    private TestingServer zk;

    @BeforeEach
    void start() throws Exception {
        zk = ZooKeeperTesting.server();
    }

    @AfterEach
    void stop() throws Exception {
        zk.close();
    }

    private static RpcServer server(int port, ZooKeeperRegistry registry) {
        RpcServer.Builder b = RpcServer.builder()
                .host("127.0.0.1")
                .announceHost("127.0.0.1")
                .port(port)
                .propagationDelay(Duration.ZERO)
                .service(EchoService.class, new EchoServiceImpl());
        if (registry != null) {
            b.registry(registry);
        }
        return b.build().start();
    }

    @Test
    void providerRestartedWithinItsSessionWarmsUpAgainOnAFreshConnection() throws Exception {
        String connect = zk.getConnectString();
        // The old process: its node stays in ZooKeeper after it dies (its session outlives it).
        ZooKeeperRegistry oldSession = registry(connect, providerCache).build();
        RpcServer old = server(0, null);
        int port = old.port();
        oldSession.register(ServiceInstance.builder(ECHO, "127.0.0.1", port)
                .incarnation(old.incarnation())
                .build());
        try (ZooKeeperRegistry consumer = registry(connect, consumerCache).build();
                RpcClient client = RpcTesting.client(consumer)) {
            EchoService echo = client.refer(EchoService.class);
            echo.echo(TestMessages.echoRequest("before"));
            Endpoint before = client.endpoints(ECHO).get(0);
            assertThat(before.instance().incarnation()).isEqualTo(old.incarnation());
            assertThat(old.connectionCount()).isEqualTo(1);

            // "kill -9": the process stops serving, nobody unregisters, the node stays.
            old.close();
            long restartedAt = System.nanoTime();
            try (ZooKeeperRegistry newSession = registry(connect, providerCache).build();
                    RpcServer restarted = server(port, newSession)) {
                await().atMost(Duration.ofSeconds(5))
                        .until(() ->
                                consumer.instances(ECHO).get(0).incarnation().equals(restarted.incarnation()));
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> client.endpoints(ECHO)
                                .get(0)
                                .instance()
                                .incarnation()
                                .equals(restarted.incarnation()));
                assertThat(ZooKeeperTesting.ids(consumer.instances(ECHO))).containsExactly("127.0.0.1:" + port);

                Endpoint after = client.endpoints(ECHO).get(0);
                assertThat(after.ageNanos())
                        .as("the restarted provider is cold again (age counted from the restart)")
                        .isLessThanOrEqualTo(System.nanoTime() - restartedAt)
                        .isLessThan(before.ageNanos());
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    echo.echo(TestMessages.echoRequest("after"));
                    assertThat(restarted.connectionCount()).isEqualTo(1);
                });
                assertThat(old.connectionCount())
                        .as("connections to the old process")
                        .isZero();
                RpcTesting.report(
                        "restart at the same port",
                        "age after the restart " + after.ageNanos() / 1_000_000 + " ms, before it "
                                + before.ageNanos() / 1_000_000 + " ms");
            }
        } finally {
            oldSession.close();
        }
    }
}
