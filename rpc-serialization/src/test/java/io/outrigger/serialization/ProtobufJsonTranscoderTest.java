package io.outrigger.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import io.outrigger.serialization.testing.TestMessages;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import io.outrigger.serialization.testing.proto.User;
import org.junit.jupiter.api.Test;

class ProtobufJsonTranscoderTest {

    /** Built the way the sidecar builds it: from a descriptor set, with no generated classes. */
    private final ProtobufJsonTranscoder transcoder = ProtobufJsonTranscoder.of(TestMessages.descriptorSet());

    @Test
    void turnsJsonIntoTheProtobufBytesOfTheType() throws Exception {
        byte[] bytes = transcoder.jsonToProtobuf(
                "{\"text\": \"hi\", \"data\": \"AQID\", \"sleepMillis\": 250}", "outrigger.testing.EchoRequest");

        assertThat(EchoRequest.parseFrom(bytes))
                .isEqualTo(EchoRequest.newBuilder()
                        .setText("hi")
                        .setData(ByteString.copyFrom(new byte[] {1, 2, 3}))
                        .setSleepMillis(250)
                        .build());
    }

    @Test
    void acceptsOriginalFieldNamesAndStringIntegers() throws Exception {
        byte[] bytes =
                transcoder.jsonToProtobuf("{\"sleep_millis\": \"9007199254740993\"}", EchoRequest.getDescriptor());

        assertThat(EchoRequest.parseFrom(bytes).getSleepMillis()).isEqualTo(9_007_199_254_740_993L);
    }

    @Test
    void turnsProtobufBytesIntoCanonicalJson() {
        EchoRequest request = EchoRequest.newBuilder()
                .setText("hi")
                .setData(ByteString.copyFrom(new byte[] {1, 2, 3}))
                .setSleepMillis(250)
                .build();

        String json = transcoder.protobufToJson(request.toByteArray(), "outrigger.testing.EchoRequest");

        assertThat(json).isEqualTo("{\"text\":\"hi\",\"data\":\"AQID\",\"sleepMillis\":\"250\"}");
        assertThat(transcoder.protobufToJson(new byte[0], "outrigger.testing.EchoReply"))
                .isEqualTo("{}");
    }

    @Test
    void roundTripsEveryKindOfFieldIncludingAny() throws Exception {
        User user = TestMessages.user();

        String json = transcoder.protobufToJson(user.toByteArray(), "outrigger.testing.User");
        User back = User.parseFrom(transcoder.jsonToProtobuf(json, "outrigger.testing.User"));

        assertThat(back).isEqualTo(user);
        assertThat(json)
                .contains("\"id\":\"9007199254740993\"")
                .contains("\"role\":\"ROLE_ADMIN\"")
                .contains("\"addresses\":[{\"street\":\"1 Analytical Way\",\"city\":\"London\"}")
                .contains("\"createdAt\":\"2023-11-14T22:13:20.005Z\"")
                .contains("\"@type\":\"type.googleapis.com/outrigger.testing.EchoRequest\"");
    }

    @Test
    void worksFromASingleDescriptor() throws Exception {
        ProtobufJsonTranscoder fromDescriptor = ProtobufJsonTranscoder.of(EchoReply.getDescriptor());

        byte[] bytes = fromDescriptor.jsonToProtobuf("{\"text\":\"pong\"}", "outrigger.testing.EchoReply");

        assertThat(EchoReply.parseFrom(bytes).getText()).isEqualTo("pong");
        assertThat(fromDescriptor.catalog().findMessageType("outrigger.testing.User"))
                .isPresent();
    }

    @Test
    void aWrongValueSaysWhichFieldAndWhy() {
        assertThatThrownBy(() -> transcoder.jsonToProtobuf(
                        "{\"text\": \"hi\", \"sleepMillis\": \"soon\"}", "outrigger.testing.EchoRequest"))
                .isInstanceOf(SerializationException.class)
                .hasMessage("invalid JSON for outrigger.testing.EchoRequest at $.sleepMillis:"
                        + " Not an int64 value: \"soon\"");
    }

    @Test
    void aWrongValueDeepInsideIsLocated() {
        String json =
                "{\"name\": \"Ada\", \"addresses\": [{\"city\": \"London\"}, {\"city\": \"Paris\", \"zip\": 75}]}";

        assertThatThrownBy(() -> transcoder.jsonToProtobuf(json, "outrigger.testing.User"))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("invalid JSON for outrigger.testing.User at $.addresses[1].zip: ")
                .hasMessageContaining("Cannot find field: zip in message outrigger.testing.User.Address");
    }

    @Test
    void aBadEnumOrMapValueIsLocated() {
        assertThatThrownBy(() -> transcoder.jsonToProtobuf("{\"role\": \"ROLE_KING\"}", "outrigger.testing.User"))
                .hasMessageStartingWith("invalid JSON for outrigger.testing.User at $.role: ")
                .hasMessageContaining("ROLE_KING");
        assertThatThrownBy(() -> transcoder.jsonToProtobuf(
                        "{\"scores\": {\"chess\": 1, \"go\": \"lots\"}}", "outrigger.testing.User"))
                .hasMessageStartingWith("invalid JSON for outrigger.testing.User at $.scores: ")
                .hasMessageContaining("lots");
    }

    @Test
    void malformedJsonSaysWhere() {
        assertThatThrownBy(() -> transcoder.jsonToProtobuf("{\"text\": \"hi\"", "outrigger.testing.EchoRequest"))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("invalid JSON for outrigger.testing.EchoRequest: ")
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> transcoder.jsonToProtobuf("[1, 2]", "outrigger.testing.EchoRequest"))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Expect message object");
    }

    @Test
    void twoFieldsOfOneOneofAreAnError() {
        assertThatThrownBy(() -> transcoder.jsonToProtobuf(
                        "{\"email\": \"a@example.org\", \"phone\": \"123\"}", "outrigger.testing.User"))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("invalid JSON for outrigger.testing.User: ")
                .hasMessageContaining("oneof");
    }

    @Test
    void corruptBytesAreAnError() {
        assertThatThrownBy(() -> transcoder.protobufToJson(new byte[] {0x0a, 0x05, 'h'}, "outrigger.testing.EchoReply"))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("protobuf: invalid outrigger.testing.EchoReply from 3 bytes");
    }

    @Test
    void anAnyOfAnUnknownTypeCannotBeWritten() {
        User user = User.newBuilder()
                .setExtra(Any.newBuilder().setTypeUrl("type.googleapis.com/demo.Unknown"))
                .build();

        assertThatThrownBy(() -> transcoder.protobufToJson(user.toByteArray(), "outrigger.testing.User"))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("demo.Unknown")
                .hasMessageContaining("catalog");
    }

    @Test
    void anUnknownTypeNameIsAnError() {
        assertThatThrownBy(() -> transcoder.jsonToProtobuf("{}", "demo.Nope"))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("unknown protobuf message type demo.Nope");
    }

    @Test
    void theCatalogsTypesAreNotTheGeneratedOnes() {
        Descriptor fromSet = transcoder.catalog().messageType("outrigger.testing.EchoRequest");

        assertThat(fromSet).isNotSameAs(EchoRequest.getDescriptor());
        assertThat(fromSet.getFullName()).isEqualTo(EchoRequest.getDescriptor().getFullName());
    }
}
