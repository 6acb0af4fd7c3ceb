package io.outrigger.core.server;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.ServerExtension;
import io.outrigger.core.testing.ThriftEchoService;
import io.outrigger.serialization.DescriptorCatalog;
import io.outrigger.serialization.ProtobufSerializer;
import io.outrigger.serialization.testing.proto.EchoReply;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ServiceReflectionTest {

    @RegisterExtension
    static final ServerExtension server = new ServerExtension(b -> b.service(EchoService.class, new EchoServiceImpl())
            .service(ThriftEchoService.class, new EchoServiceImpl())
            .interceptor(ServiceReflection.of(EchoService.class, ThriftEchoService.class)));

    @Test
    void answersTheReservedMethodWithALinkableDescriptorSet() throws Exception {
        RpcResponse response = call("test.EchoService", ServiceReflection.METHOD);

        assertThat(response.status()).isEqualTo(Status.OK);
        Payload.Encoded payload = (Payload.Encoded) response.payload();
        assertThat(payload.serializerId()).isEqualTo(ProtobufSerializer.ID);
        FileDescriptorSet set = FileDescriptorSet.parseFrom(payload.bytes());
        DescriptorCatalog catalog = DescriptorCatalog.fromDescriptorSet(set);
        FileDescriptor declared = catalog.files().stream()
                .filter(f -> f.getName().equals(ServiceReflection.FILE_PREFIX + "test.EchoService.proto"))
                .findFirst()
                .orElseThrow();
        ServiceDescriptor service = declared.getServices().get(0);
        assertThat(service.getMethods())
                .extracting(MethodDescriptor::getName)
                .containsExactlyInAnyOrder("echo", "echoAsync", "fail");
        assertThat(service.findMethodByName("echo").getInputType().getFullName())
                .isEqualTo("outrigger.testing.EchoRequest");
        assertThat(service.findMethodByName("echo").getOutputType().getFullName())
                .isEqualTo("outrigger.testing.EchoReply");
    }

    @Test
    void streamingMethodsAreDescribedAsStreams() {
        com.google.protobuf.DescriptorProtos.FileDescriptorSet set = ServiceReflection.descriptorSet(
                io.outrigger.core.service.ServiceDescriptor.of(io.outrigger.core.testing.StreamService.class));
        com.google.protobuf.DescriptorProtos.ServiceDescriptorProto service = set.getFileList().stream()
                .filter(f -> f.getServiceCount() > 0)
                .findFirst()
                .orElseThrow()
                .getService(0);
        java.util.Map<String, String> kinds = new java.util.TreeMap<>();
        service.getMethodList()
                .forEach(m -> kinds.put(m.getName(), m.getClientStreaming() + "/" + m.getServerStreaming()));

        assertThat(kinds)
                .containsEntry("count", "false/true")
                .containsEntry("join", "true/false")
                .containsEntry("shout", "true/true");
    }

    @Test
    void servicesWithoutProtobufMethodsAreNotPublished() throws Exception {
        assertThat(ServiceReflection.of(EchoService.class, ThriftEchoService.class)
                        .services())
                .containsExactly("test.EchoService");
        assertThat(call("test.ThriftEchoService", ServiceReflection.METHOD)
                        .status()
                        .code())
                .isEqualTo(Status.Code.UNIMPLEMENTED);
    }

    @Test
    void otherCallsPassThrough() throws Exception {
        RpcResponse response = call("test.EchoService", "echo");

        assertThat(response.status()).isEqualTo(Status.OK);
        EchoReply reply = EchoReply.parseFrom(((Payload.Encoded) response.payload()).bytes());
        assertThat(reply.getText()).isEqualTo("x");
    }

    private static RpcResponse call(String service, String method) throws Exception {
        return server.client()
                .invoker(service)
                .invoke(RpcRequest.of(
                        service,
                        method,
                        Payload.encoded(ProtobufSerializer.ID, echoRequest("x").toByteArray())))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
    }
}
