package io.outrigger.core.internal.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.Subscription;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.registry.InstanceListener;
import io.outrigger.core.registry.Registry;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.serialization.testing.TestMessages;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An instance the registry lost (removed without a graceful departure) is kept while this client's
 * connection to it works, and dropped when that connection fails, when it is withdrawn, or at the cap.
 */
class LostProviderHoldTest {

    private static final String ECHO = "test.EchoService";

    /** A registry whose lists are set by hand; removals are losses unless said otherwise. */
    static final class HandRegistry implements Registry {
        final List<InstanceListener> listeners = new CopyOnWriteArrayList<>();
        volatile List<ServiceInstance> instances = List.of();

        void lose(List<ServiceInstance> now) {
            instances = now;
            listeners.forEach(l -> l.onInstances(ECHO, now));
        }

        void withdraw(List<ServiceInstance> now, Set<String> withdrawn) {
            instances = now;
            listeners.forEach(l -> l.onInstances(ECHO, now, withdrawn));
        }

        @Override
        public void register(ServiceInstance instance) {}

        @Override
        public void unregister(ServiceInstance instance) {}

        @Override
        public Subscription subscribe(String service, InstanceListener listener) {
            listeners.add(listener);
            listener.onInstances(service, instances);
            return () -> listeners.remove(listener);
        }

        @Override
        public void close() {}
    }

    private final HandRegistry registry = new HandRegistry();
    private RpcServer a;
    private RpcServer b;
    private ServiceInstance ia;
    private ServiceInstance ib;

    @BeforeEach
    void start() {
        a = server();
        b = server();
        ia = ServiceInstance.builder(ECHO, "127.0.0.1", a.port()).build();
        ib = ServiceInstance.builder(ECHO, "127.0.0.1", b.port()).build();
        registry.instances = List.of(ia, ib);
    }

    @AfterEach
    void stop() {
        a.close();
        b.close();
    }

    private static RpcServer server() {
        return RpcServer.builder()
                .host("127.0.0.1")
                .port(0)
                .service(EchoService.class, new EchoServiceImpl())
                .build()
                .start();
    }

    private static RpcClient client(Registry registry, Duration hold) {
        return RpcClient.builder().registry(registry).lostProviderHold(hold).build();
    }

    /** Calls until both providers have a connection from the client. */
    private static void connectBoth(EchoService echo, RpcServer a, RpcServer b) {
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            echo.echo(TestMessages.echoRequest("x"));
            return a.connectionCount() == 1 && b.connectionCount() == 1;
        });
    }

    private static List<String> ids(RpcClient client) {
        return client.endpoints(ECHO).stream().map(e -> e.instance().id()).toList();
    }

    @Test
    void lostInstancesAreCalledWhileConnectedAndDroppedWhenTheConnectionFails() {
        try (RpcClient client = client(registry, Duration.ofMinutes(10))) {
            EchoService echo = client.refer(EchoService.class);
            connectBoth(echo, a, b);

            registry.lose(List.of()); // e.g. both sessions expired in a partition: both still serve
            assertThat(ids(client)).containsExactlyInAnyOrder(ia.id(), ib.id());
            assertThat(client.endpoints(ECHO)).allMatch(Endpoint::isHeld).allMatch(Endpoint::isAvailable);
            assertThat(client.heldInstances()).isEqualTo(Map.of(ECHO, List.of(ia.id(), ib.id())));
            for (int i = 0; i < 20; i++) {
                echo.echo(TestMessages.echoRequest("held")); // none fails
            }

            a.close(); // really gone: its connection fails, so it is dropped
            await().atMost(Duration.ofSeconds(5)).until(() -> ids(client).equals(List.of(ib.id())));
            assertThat(client.heldInstances()).isEqualTo(Map.of(ECHO, List.of(ib.id())));
            for (int i = 0; i < 20; i++) {
                echo.echo(TestMessages.echoRequest("one left"));
            }

            registry.lose(List.of(ib)); // listed again: no longer held
            assertThat(client.endpoints(ECHO)).singleElement().satisfies(e -> {
                assertThat(e.instance().id()).isEqualTo(ib.id());
                assertThat(e.isHeld()).isFalse();
            });
            assertThat(client.heldInstances()).isEmpty();
        }
    }

    @Test
    void withdrawnInstancesAreDroppedAtOnce() {
        try (RpcClient client = client(registry, Duration.ofMinutes(10))) {
            connectBoth(client.refer(EchoService.class), a, b);
            registry.withdraw(List.of(ib), Set.of(ia.id()));
            assertThat(ids(client)).containsExactly(ib.id());
            assertThat(client.heldInstances()).isEmpty();
        }
    }

    @Test
    void lostInstanceWithoutAConnectionIsDroppedAtOnce() {
        try (RpcClient client = client(registry, Duration.ofMinutes(10))) {
            EchoService echo = client.refer(EchoService.class);
            connectBoth(echo, a, b);
            b.close();
            // Its connection closes; a connect attempt is refused, so it backs off.
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                try {
                    echo.echo(TestMessages.echoRequest("x"));
                } catch (RuntimeException refused) {
                    // the call that found b gone
                }
                return client.endpoints(ECHO).stream()
                        .noneMatch(e -> e.instance().id().equals(ib.id()) && e.isAvailable());
            });
            registry.lose(List.of(ia));
            assertThat(ids(client)).containsExactly(ia.id());
        }
    }

    @Test
    void holdEndsAtItsCap() {
        try (RpcClient client = client(registry, Duration.ofMillis(300))) {
            connectBoth(client.refer(EchoService.class), a, b);
            registry.lose(List.of(ia));
            assertThat(ids(client)).containsExactly(ia.id(), ib.id());
            await().atMost(Duration.ofSeconds(5)).until(() -> ids(client).equals(List.of(ia.id())));
            assertThat(client.heldInstances()).isEmpty();
        }
    }

    @Test
    void zeroHoldDropsLostInstancesAtOnce() {
        try (RpcClient client = client(registry, Duration.ZERO)) {
            connectBoth(client.refer(EchoService.class), a, b);
            registry.lose(List.of(ia));
            assertThat(ids(client)).containsExactly(ia.id());
        }
    }
}
