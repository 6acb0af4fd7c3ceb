package io.outrigger.core.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.CallAttributes;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.serialization.testing.TestMessages;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A provider announced again at the same address with another incarnation (a restarted process the
 * registry never saw leave): the caller treats it as new.
 */
class RestartedProviderTest {

    private static final String ECHO = "test.EchoService";

    @Test
    void newIncarnationWarmsUpAgainAndIsCalledOverANewConnection() throws Exception {
        List<String> callers = new CopyOnWriteArrayList<>();
        try (RpcServer server = RpcServer.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .interceptor((request, next) -> {
                            callers.add(request.attributes().get(CallAttributes.REMOTE_ADDRESS));
                            return next.invoke(request);
                        })
                        .service(EchoService.class, new EchoServiceImpl())
                        .build()
                        .start();
                StaticRegistry registry = new StaticRegistry()) {
            ServiceInstance first = ServiceInstance.builder(ECHO, "127.0.0.1", server.port())
                    .incarnation("first")
                    .build();
            registry.register(first);
            try (RpcClient client = RpcClient.builder().registry(registry).build()) {
                EchoService echo = client.refer(EchoService.class);
                echo.echo(TestMessages.echoRequest("a"));
                Endpoint before = client.endpoints(ECHO).get(0);
                long seenBefore = before.ageNanos();
                String oldConnection = callers.get(0);

                // The same address announced again with other data but the same process: same
                // endpoint, same age, same connection.
                registry.register(first.toBuilder().weight(50).build());
                assertThat(client.endpoints(ECHO).get(0).ageNanos()).isGreaterThanOrEqualTo(seenBefore);
                echo.echo(TestMessages.echoRequest("b"));
                assertThat(callers.get(1)).isEqualTo(oldConnection);

                // Another process at the same address (here the same server stands in for it, so the
                // old connection would still work: it must not be kept all the same).
                long restartedAt = System.nanoTime();
                registry.register(
                        first.toBuilder().weight(50).incarnation("second").build());
                Endpoint after = client.endpoints(ECHO).get(0);
                assertThat(after.instance().incarnation()).isEqualTo("second");
                assertThat(after.ageNanos())
                        .as("age of the restarted provider (cold again)")
                        .isLessThanOrEqualTo(System.nanoTime() - restartedAt)
                        .isLessThan(before.ageNanos());

                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    echo.echo(TestMessages.echoRequest("c"));
                    assertThat(callers.get(callers.size() - 1)).isNotEqualTo(oldConnection);
                });
                await().atMost(Duration.ofSeconds(5))
                        .untilAsserted(
                                () -> assertThat(server.connectionCount()).isEqualTo(1));
            }
        }
    }

    @Test
    void unknownIncarnationKeepsTheEndpointAsBefore() throws Exception {
        try (RpcServer server = RpcServer.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .service(EchoService.class, new EchoServiceImpl())
                        .build()
                        .start();
                StaticRegistry registry = new StaticRegistry()) {
            ServiceInstance old =
                    ServiceInstance.builder(ECHO, "127.0.0.1", server.port()).build();
            registry.register(old);
            try (RpcClient client = RpcClient.builder().registry(registry).build()) {
                client.refer(EchoService.class).echo(TestMessages.echoRequest("a"));
                long age = client.endpoints(ECHO).get(0).ageNanos();
                // An older provider says nothing of its incarnation; a newer one at the same address:
                // not enough to call it a restart.
                registry.register(old.toBuilder().incarnation("x").build());
                assertThat(client.endpoints(ECHO).get(0).ageNanos()).isGreaterThanOrEqualTo(age);
                assertThat(server.connectionCount()).isEqualTo(1);
            }
        }
    }

    @Test
    void serverAnnouncesANewIncarnationEachTime() {
        StaticRegistry registry = new StaticRegistry();
        String[] seen = new String[2];
        for (int i = 0; i < 2; i++) {
            try (RpcServer server = RpcServer.builder()
                    .host("127.0.0.1")
                    .port(0)
                    .registry(registry)
                    .propagationDelay(Duration.ZERO)
                    .service(EchoService.class, new EchoServiceImpl())
                    .build()
                    .start()) {
                seen[i] = registry.instances(ECHO).get(0).incarnation();
                assertThat(seen[i]).isEqualTo(server.incarnation()).isNotEmpty();
            }
        }
        assertThat(seen[0]).isNotEqualTo(seen[1]);
    }
}
