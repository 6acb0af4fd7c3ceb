package io.outrigger.governance;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.core.Payload;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.serialization.ProtobufSerializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Version and group chosen per reference and per call, over real sockets on 127.0.0.1: providers
 * 1.0.0 in group blue and 2.0.0 in group green.
 */
class PerCallRoutingTest {

    private final List<RpcServer> servers = new ArrayList<>();
    private final StaticRegistry registry = new StaticRegistry();
    private final EchoServiceImpl v1 = new EchoServiceImpl();
    private final EchoServiceImpl v2 = new EchoServiceImpl();
    private RpcClient client;

    @BeforeEach
    void start() {
        provider(v1, b -> b.version("1.0.0").group("blue"));
        provider(v2, b -> b.version("2.0.0").group("green"));
        client = ClientGovernance.builder()
                .loadBalancing(LoadBalancing.ROUND_ROBIN)
                .version("1.*") // the default of this client: overridden per call below
                .build()
                .applyTo(RpcClient.builder().registry(registry))
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        servers.forEach(s -> s.shutdown(Duration.ZERO));
    }

    private void provider(EchoService impl, Consumer<ServiceInstance.Builder> instance) {
        servers.add(RpcServer.builder()
                .host("127.0.0.1")
                .service(EchoService.class, impl)
                .registry(registry)
                .instance(instance)
                .propagationDelay(Duration.ZERO)
                .build()
                .start());
    }

    @Test
    void eachReferenceAndEachCallPicksItsVersionAndGroup() throws Exception {
        EchoService byDefault = client.refer(EchoService.class);
        EchoService version2 = client.reference(EchoService.class)
                .header(ClientGovernance.VERSION_HEADER, "2.*")
                .build();
        EchoService green = client.reference(EchoService.class)
                .header(ClientGovernance.VERSION_HEADER, "*")
                .header(ClientGovernance.GROUP_HEADER, "green")
                .build();
        for (int i = 0; i < 10; i++) {
            byDefault.echo(echoRequest("default"));
        }
        assertThat(v1.completed.get()).isEqualTo(10);
        assertThat(v2.completed.get()).isZero();
        for (int i = 0; i < 10; i++) {
            version2.echo(echoRequest("two"));
            green.echo(echoRequest("green"));
        }
        assertThat(v1.completed.get()).isEqualTo(10);
        assertThat(v2.completed.get()).isEqualTo(20);

        // Per call, on one generic invoker: alternate versions call by call.
        var invoker = client.invoker("test.EchoService");
        byte[] body = ProtobufSerializer.INSTANCE.encode(echoRequest("generic"));
        for (int i = 0; i < 10; i++) {
            String version = i % 2 == 0 ? "1.0.0" : "2.0.0";
            RpcRequest call = RpcRequest.of("test.EchoService", "echo", Payload.encoded(ProtobufSerializer.ID, body))
                    .withHeader(ClientGovernance.VERSION_HEADER, version);
            RpcResponse r = invoker.invoke(call).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(r.isOk()).as(r.status().toString()).isTrue();
        }
        assertThat(v1.completed.get()).isEqualTo(15);
        assertThat(v2.completed.get()).isEqualTo(25);
    }

    @Test
    void noMatchingProviderIsUnavailableNamingWhatWasAskedAndWhatExists() {
        EchoService version3 = client.reference(EchoService.class)
                .header(ClientGovernance.VERSION_HEADER, "3.*")
                .build();
        assertThatThrownBy(() -> version3.echo(echoRequest("x"))).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.status().description())
                    .startsWith("no provider of test.EchoService matches version=3.* (asked per call in"
                            + " metadata outrigger-version); the 2 candidates have version=1.0.0 (1"
                            + " provider), 2.0.0 (1 provider)");
        });
        EchoService purple = client.reference(EchoService.class)
                .header(ClientGovernance.VERSION_HEADER, "*")
                .header(ClientGovernance.GROUP_HEADER, "purple")
                .build();
        assertThatThrownBy(() -> purple.echo(echoRequest("x")))
                .isInstanceOfSatisfying(
                        RpcException.class,
                        e -> assertThat(e.status().description())
                                .contains("group=purple", "group=blue (1 provider), green (1 provider)"));
        EchoService malformed = client.reference(EchoService.class)
                .header(ClientGovernance.VERSION_HEADER, "2.*.1")
                .build();
        assertThatThrownBy(() -> malformed.echo(echoRequest("x"))).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(e.status().description()).contains("outrigger-version", "2.*.1");
        });
        assertThat(v1.completed.get() + v2.completed.get()).isZero();
    }
}
