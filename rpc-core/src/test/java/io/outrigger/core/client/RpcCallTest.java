package io.outrigger.core.client;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static io.outrigger.serialization.testing.TestMessages.thriftEchoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.ServerExtension;
import io.outrigger.core.testing.ThriftEchoService;
import io.outrigger.serialization.ProtobufSerializer;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import io.outrigger.serialization.testing.thrift.gen.ThriftEchoReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RpcCallTest {

    static final EchoServiceImpl impl = new EchoServiceImpl();

    @RegisterExtension
    static final ServerExtension server = new ServerExtension(
            b -> b.service(EchoService.class, impl)
                    .service(ThriftEchoService.class, impl)
                    .maxMessageSize(64 * 1024),
            c -> c.maxMessageSize(64 * 1024));

    @Test
    void syncCallReturnsTheReply() {
        EchoService echo = server.client().refer(EchoService.class);

        EchoReply reply = echo.echo(echoRequest("hello"));

        assertThat(reply.getText()).isEqualTo("hello");
        assertThat(reply.getData().toStringUtf8()).isEqualTo("hello");
    }

    @Test
    void asyncCallCompletesTheStage() throws Exception {
        EchoService echo = server.client().refer(EchoService.class);

        EchoReply reply = echo.echoAsync(
                        echoRequest("later").toBuilder().setSleepMillis(20).build())
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);

        assertThat(reply.getText()).isEqualTo("later");
    }

    @Test
    void blockingMethodsRunOnWorkersAndAsyncOnesOnTheIoThread() throws Exception {
        EchoService echo = server.client().refer(EchoService.class);

        echo.echo(echoRequest("sync"));
        assertThat(impl.lastThread).startsWith("outrigger-worker-");

        echo.echoAsync(echoRequest("async")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(impl.lastThread).startsWith("outrigger-server-io-");
    }

    @Test
    void thriftServiceRoundTrips() {
        ThriftEchoService echo = server.client().refer(ThriftEchoService.class);

        ThriftEchoReply reply = echo.echo(thriftEchoRequest("thrift"));

        assertThat(reply.getText()).isEqualTo("thrift");
        assertThat(new String(reply.getData())).isEqualTo("thrift");
    }

    @Test
    void thousandConcurrentCallsShareOneConnection() throws Exception {
        // Correctness, not speed: a generous timeout, since paranoid leak tracking is slow.
        EchoService echo = server.client()
                .reference(EchoService.class)
                .timeout(Duration.ofSeconds(60))
                .build();
        List<CompletableFuture<EchoReply>> futures = new ArrayList<>();

        for (int i = 0; i < 1000; i++) {
            futures.add(echo.echoAsync(echoRequest("call-" + i)).toCompletableFuture());
        }

        for (int i = 0; i < 1000; i++) {
            assertThat(futures.get(i).get(60, TimeUnit.SECONDS).getText()).isEqualTo("call-" + i);
        }
        assertThat(server.client().endpoints("test.EchoService")).hasSize(1);
        assertThat(server.client().services()).contains("test.EchoService");
    }

    @Test
    void slowServiceGivesDeadlineExceededInAboutTheDeadline() {
        EchoService echo = server.client()
                .reference(EchoService.class)
                .timeout(Duration.ofMillis(200))
                .build();
        long start = System.nanoTime();

        assertThatThrownBy(() -> echo.echo(
                        echoRequest("slow").toBuilder().setSleepMillis(2000).build()))
                .isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.status().code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                    assertThat(e.getMessage())
                            .contains("test.EchoService/echo: deadline exceeded")
                            .contains("ms of sending");
                });

        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(tookMillis).isBetween(150L, 1500L);
    }

    @Test
    void unknownServiceAndMethodGiveUnimplementedNamingWhatExists() throws Exception {
        byte[] bytes = echoRequest("x").toByteArray();
        Payload payload = Payload.encoded(ProtobufSerializer.INSTANCE.id(), bytes);
        StaticRegistryTarget target = new StaticRegistryTarget(server);
        // Point the client at this server for a service it does not export.
        server.registry()
                .register(ServiceInstance.builder("test.NoSuchService", "127.0.0.1", server.port())
                        .build());

        RpcResponse unknownService = target.call("test.NoSuchService", "echo", payload);
        RpcResponse unknownMethod = target.call("test.EchoService", "nope", payload);

        assertThat(unknownService.status().code()).isEqualTo(Status.Code.UNIMPLEMENTED);
        assertThat(unknownService.status().description())
                .contains("unknown service test.NoSuchService")
                .contains("test.EchoService")
                .contains("test.ThriftEchoService");
        assertThat(unknownMethod.status().code()).isEqualTo(Status.Code.UNIMPLEMENTED);
        assertThat(unknownMethod.status().description())
                .contains("unknown method test.EchoService/nope")
                .endsWith("test.EchoService has: echo, echoAsync, fail");
    }

    @Test
    void genericInvokerForwardsEncodedBytesWithoutDecoding() throws Exception {
        byte[] bytes = echoRequest("raw").toByteArray();
        RpcResponse response = new StaticRegistryTarget(server)
                .call("test.EchoService", "echo", Payload.encoded(ProtobufSerializer.INSTANCE.id(), bytes));

        assertThat(response.isOk()).isTrue();
        assertThat(response.payload()).isInstanceOf(Payload.Encoded.class);
        assertThat(EchoReply.parseFrom(((Payload.Encoded) response.payload()).bytes())
                        .getText())
                .isEqualTo("raw");
    }

    @Test
    void malformedRequestBytesGiveInvalidArgument() throws Exception {
        RpcResponse response = new StaticRegistryTarget(server)
                .call("test.EchoService", "echo", Payload.encoded((byte) 1, new byte[] {(byte) 0xff, 0x01}));

        assertThat(response.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(response.status().description()).contains("cannot decode").contains("EchoRequest");
    }

    @Test
    void messageAtTheLimitPassesAndOneOverFailsWhileTheConnectionSurvives() throws Exception {
        EchoService echo = server.client().refer(EchoService.class);
        int limit = 64 * 1024;
        // Protobuf adds 2 bytes of tag + 3 bytes of length (a varint of 65531) in front of the data.
        EchoRequest atLimit = EchoRequest.newBuilder()
                .setData(ByteString.copyFrom(new byte[limit - 4]))
                .build();
        assertThat(atLimit.getSerializedSize()).isEqualTo(limit);
        EchoRequest overLimit = EchoRequest.newBuilder()
                .setData(ByteString.copyFrom(new byte[limit - 3]))
                .build();
        assertThat(overLimit.getSerializedSize()).isEqualTo(limit + 1);

        assertThat(echo.echo(atLimit).getData().size()).isEqualTo(limit - 4);
        assertThatThrownBy(() -> echo.echo(overLimit)).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getMessage()).contains("65537 bytes").contains("maxMessageSize of 65536");
        });
        assertThat(echo.echo(echoRequest("still here")).getText()).isEqualTo("still here");
    }

    @Test
    void oversizedRequestFromAPeerWithHigherLimitIsRejectedByTheServerAndTheConnectionSurvives() {
        try (RpcClient big = RpcClient.builder()
                .registry(server.registry())
                .maxMessageSize(1024 * 1024)
                .build()) {
            EchoService echo = big.refer(EchoService.class);
            EchoRequest tooBig = EchoRequest.newBuilder()
                    .setData(ByteString.copyFrom(new byte[100 * 1024]))
                    .build();

            assertThatThrownBy(() -> echo.echo(tooBig)).isInstanceOfSatisfying(RpcException.class, e -> {
                assertThat(e.status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(e.getMessage()).contains("exceeds the maxMessageSize of 65536 bytes");
            });
            assertThat(echo.echo(echoRequest("after")).getText()).isEqualTo("after");
        }
    }

    /** Calls through the generic invoker, as the sidecar does. */
    record StaticRegistryTarget(ServerExtension server) {
        RpcResponse call(String service, String method, Payload payload) throws Exception {
            return server.client()
                    .invoker(service)
                    .invoke(RpcRequest.of(service, method, payload))
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
        }
    }
}
