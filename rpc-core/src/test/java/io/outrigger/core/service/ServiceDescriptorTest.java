package io.outrigger.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.core.testing.EchoService;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class ServiceDescriptorTest {

    @Test
    void describesAValidInterface() {
        ServiceDescriptor d = ServiceDescriptor.of(EchoService.class);

        assertThat(d.name()).isEqualTo("test.EchoService");
        assertThat(d.methods()).containsOnlyKeys("echo", "echoAsync", "fail");
        MethodDescriptor echo = d.method("echo");
        assertThat(echo.requestType()).isEqualTo(EchoRequest.class);
        assertThat(echo.responseType()).isEqualTo(EchoReply.class);
        assertThat(echo.async()).isFalse();
        assertThat(echo.idempotent()).isTrue();
        assertThat(d.method("echoAsync").async()).isTrue();
        assertThat(d.method("echoAsync").responseType()).isEqualTo(EchoReply.class);
        assertThat(d.method("fail").idempotent()).isFalse();
    }

    interface TwoParameters {
        EchoReply call(EchoRequest a, EchoRequest b);
    }

    interface NotAMessage {
        EchoReply call(String text);
    }

    interface ReturnsList {
        List<EchoReply> call(EchoRequest request);
    }

    interface Overloaded {
        EchoReply call(EchoRequest request);

        CompletionStage<EchoReply> call(EchoReply request);
    }

    interface RawStage {
        @SuppressWarnings("rawtypes")
        CompletionStage call(EchoRequest request);
    }

    interface NoMethods {}

    interface BlockingClientStream {
        EchoReply call(java.util.concurrent.Flow.Publisher<EchoRequest> requests);
    }

    interface PublisherOfStrings {
        java.util.concurrent.Flow.Publisher<EchoReply> call(java.util.concurrent.Flow.Publisher<String> requests);
    }

    @Test
    void theSignatureTellsTheKindOfMethod() {
        ServiceDescriptor d = ServiceDescriptor.of(io.outrigger.core.testing.StreamService.class);

        assertThat(d.method("count").kind()).isEqualTo(MethodKind.SERVER_STREAMING);
        assertThat(d.method("join").kind()).isEqualTo(MethodKind.CLIENT_STREAMING);
        assertThat(d.method("shout").kind()).isEqualTo(MethodKind.BIDI_STREAMING);
        assertThat(d.method("shout").requestType()).isEqualTo(EchoRequest.class);
        assertThat(d.method("shout").responseType()).isEqualTo(EchoReply.class);
        assertThat(d.method("count").async()).isTrue(); // must not block: runs on the event loop
        assertThat(ServiceDescriptor.of(EchoService.class).method("echo").kind())
                .isEqualTo(MethodKind.UNARY);
    }

    @Test
    void aMethodMayTakeTheCallContextAfterItsMessage() {
        ServiceDescriptor d = ServiceDescriptor.of(io.outrigger.core.testing.HopService.class);

        assertThat(d.method("hop").takesContext()).isTrue();
        assertThat(d.method("hop").requestType()).isEqualTo(EchoRequest.class);
        assertThat(d.method("hopAsync").takesContext()).isTrue();
        assertThat(ServiceDescriptor.of(EchoService.class).method("echo").takesContext())
                .isFalse();
    }

    @Test
    void rejectsMethodsThatBreakTheRulesNamingThem() {
        assertThatThrownBy(() -> ServiceDescriptor.of(TwoParameters.class))
                .hasMessageContaining(
                        "TwoParameters.call takes 2 parameters: a service method takes exactly one message,"
                                + " optionally followed by a CallContext");
        assertThatThrownBy(() -> ServiceDescriptor.of(NotAMessage.class))
                .hasMessageContaining("NotAMessage.call takes a java.lang.String, which no serializer supports");
        assertThatThrownBy(() -> ServiceDescriptor.of(ReturnsList.class))
                .hasMessageContaining("ReturnsList.call returns java.util.List<")
                .hasMessageContaining(
                        "a service method returns a message, a CompletionStage of one or a Flow.Publisher");
        assertThatThrownBy(() -> ServiceDescriptor.of(BlockingClientStream.class))
                .hasMessageContaining("BlockingClientStream.call takes a Flow.Publisher and returns")
                .hasMessageContaining("a client-streaming method returns a CompletionStage");
        assertThatThrownBy(() -> ServiceDescriptor.of(PublisherOfStrings.class))
                .hasMessageContaining(
                        "PublisherOfStrings.call takes a java.util.concurrent.Flow$Publisher<java.lang.String>");
        assertThatThrownBy(() -> ServiceDescriptor.of(Overloaded.class))
                .hasMessageContaining("Overloaded.call is overloaded");
        assertThatThrownBy(() -> ServiceDescriptor.of(RawStage.class))
                .hasMessageContaining("RawStage.call returns java.util.concurrent.CompletionStage");
        assertThatThrownBy(() -> ServiceDescriptor.of(NoMethods.class)).hasMessageContaining("has no methods");
        assertThatThrownBy(() -> ServiceDescriptor.of(String.class)).hasMessageContaining("is not an interface");
    }

    @Test
    void unannotatedInterfaceUsesItsJavaName() {
        interface Plain {
            EchoReply call(EchoRequest request);
        }
        assertThat(ServiceDescriptor.of(Plain.class).name()).endsWith("Plain");
    }
}
