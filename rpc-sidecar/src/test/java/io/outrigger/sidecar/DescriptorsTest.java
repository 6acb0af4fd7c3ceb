package io.outrigger.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.serialization.testing.TestMessages;
import io.outrigger.sidecar.Python.Answer;
import io.outrigger.sidecar.Python.Request;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JSON with a {@code --descriptors} file, as {@code protoc --include_imports --descriptor_set_out}
 * writes it: for a Java provider that publishes nothing, and through an inbound sidecar that
 * publishes its file to the caller's sidecar.
 */
class DescriptorsTest {

    @TempDir
    Path dir;

    /** The test messages plus a file declaring {@code service EchoService} in package {@code test}. */
    Path descriptorFile() throws Exception {
        FileDescriptorSet.Builder set = TestMessages.descriptorSet().toBuilder();
        set.addFile(FileDescriptorProto.newBuilder()
                .setName("test/echo_service.proto")
                .setPackage("test")
                .setSyntax("proto3")
                .addDependency(TestMessages.protoFile().getName())
                .addService(ServiceDescriptorProto.newBuilder()
                        .setName("EchoService")
                        .addMethod(MethodDescriptorProto.newBuilder()
                                .setName("Echo")
                                .setInputType(".outrigger.testing.EchoRequest")
                                .setOutputType(".outrigger.testing.EchoReply"))));
        Path file = dir.resolve("echo.pb");
        Files.write(file, set.build().toByteArray());
        return file;
    }

    @Test
    void aDescriptorFileEnablesJsonForAJavaProviderThatPublishesNothing() throws Exception {
        StaticRegistry registry = new StaticRegistry();
        RpcServer provider = RpcServer.builder()
                .host("127.0.0.1")
                .port(0)
                .registry(registry)
                .propagationDelay(Duration.ZERO)
                .service(EchoService.class, new EchoServiceImpl())
                .build()
                .start();
        try (Sidecar sidecar = Sidecar.start(
                SidecarConfig.parse(
                        "--http",
                        "127.0.0.1:0",
                        "--descriptors",
                        descriptorFile().toString()),
                registry)) {
            Answer a = Python.call(
                            sidecar.httpPort(),
                            // "echo" in Java, "Echo" in the .proto: matched ignoring case.
                            Request.post("/rpc/test.EchoService/echo", "application/json")
                                    .body("{\"text\":\"from a file\"}"))
                    .get(0);

            assertThat(a.status()).as(a.body()).isEqualTo(200);
            assertThat(a.body()).isEqualTo("{\"text\":\"from a file\"}");
        } finally {
            provider.shutdown(Duration.ofSeconds(1));
        }
    }

    @Test
    void aStreamingMethodCalledWithJsonGetsAClearRefusalNotAHalfCall() throws Exception {
        StaticRegistry registry = new StaticRegistry();
        RpcServer provider = RpcServer.builder()
                .host("127.0.0.1")
                .port(0)
                .registry(registry)
                .propagationDelay(Duration.ZERO)
                .service(io.outrigger.core.testing.StreamService.class, new StreamingStub())
                .interceptor(
                        io.outrigger.core.server.ServiceReflection.of(io.outrigger.core.testing.StreamService.class))
                .build()
                .start();
        try (Sidecar sidecar = Sidecar.start(SidecarConfig.parse("--http", "127.0.0.1:0"), registry)) {
            Answer a = Python.call(
                            sidecar.httpPort(),
                            Request.post("/rpc/test.Streams/count", "application/json")
                                    .body("{\"text\":\"n\"}"))
                    .get(0);

            assertThat(a.status()).as(a.body()).isEqualTo(501);
            assertThat(a.body())
                    .contains("test.Streams/count is a server-streaming method")
                    .contains("the sidecar does not carry streams yet");
        } finally {
            provider.shutdown(Duration.ofSeconds(1));
        }
    }

    /** A streaming service the sidecar must refuse to call as if it were unary. */
    static final class StreamingStub implements io.outrigger.core.testing.StreamService {
        @Override
        public java.util.concurrent.Flow.Publisher<io.outrigger.serialization.testing.proto.EchoReply> count(
                io.outrigger.serialization.testing.proto.EchoRequest request) {
            return new io.outrigger.core.testing.HeldPublisher("count");
        }

        @Override
        public java.util.concurrent.CompletionStage<io.outrigger.serialization.testing.proto.EchoReply> join(
                java.util.concurrent.Flow.Publisher<io.outrigger.serialization.testing.proto.EchoRequest> requests) {
            return new java.util.concurrent.CompletableFuture<>();
        }

        @Override
        public java.util.concurrent.Flow.Publisher<io.outrigger.serialization.testing.proto.EchoReply> hold(
                io.outrigger.serialization.testing.proto.EchoRequest request) {
            return new io.outrigger.core.testing.HeldPublisher("hold");
        }

        @Override
        public java.util.concurrent.Flow.Publisher<io.outrigger.serialization.testing.proto.EchoReply> shout(
                java.util.concurrent.Flow.Publisher<io.outrigger.serialization.testing.proto.EchoRequest> requests) {
            return new io.outrigger.core.testing.HeldPublisher("shout");
        }
    }

    @Test
    void anInboundSidecarPublishesItsDescriptorsToCallers() throws Exception {
        StaticRegistry registry = new StaticRegistry();
        try (Python.Provider app = Python.Provider.start("py");
                Sidecar inbound = Sidecar.start(
                        SidecarConfig.builder()
                                .http("127.0.0.1:0")
                                .rpc("127.0.0.1:0")
                                .export("test.EchoService", URI.create(app.url()))
                                .descriptors(descriptorFile())
                                .healthInterval(Duration.ofMillis(100))
                                .propagationDelay(Duration.ZERO)
                                .build(),
                        registry);
                Sidecar outbound = Sidecar.start(SidecarConfig.parse("--http", "127.0.0.1:0"), registry)) {
            Awaitility.await()
                    .until(() -> !registry.instances("test.EchoService").isEmpty());

            // python caller -> outbound sidecar (JSON) -> native -> inbound sidecar -> python provider (protobuf)
            Answer a = Python.call(
                            outbound.httpPort(),
                            Request.post("/rpc/test.EchoService/echo", "application/json")
                                    .body("{\"text\":\"py to py\"}"))
                    .get(0);

            assertThat(a.status()).as(a.body()).isEqualTo(200);
            assertThat(a.json("text")).isEqualTo("py to py");
            assertThat(a.json("data")).isNotEmpty(); // base64 of the provider's JSON
        }
    }

    @Test
    void aBrokenDescriptorFileStopsTheStartWithItsName() throws Exception {
        Path bad = dir.resolve("bad.pb");
        Files.write(bad, new byte[] {(byte) 0xff, 1, 2});

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Sidecar.start(
                                SidecarConfig.parse("--http", "127.0.0.1:0", "--descriptors", bad.toString()),
                                new StaticRegistry())
                        .close())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.pb");
    }
}
