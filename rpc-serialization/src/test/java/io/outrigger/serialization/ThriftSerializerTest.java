package io.outrigger.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.serialization.testing.TestMessages;
import io.outrigger.serialization.testing.proto.EchoRequest;
import io.outrigger.serialization.testing.thrift.gen.ThriftEchoReply;
import io.outrigger.serialization.testing.thrift.gen.ThriftEchoRequest;
import io.outrigger.serialization.testing.thrift.gen.ThriftRole;
import io.outrigger.serialization.testing.thrift.gen.ThriftUser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.thrift.TBase;
import org.apache.thrift.TDeserializer;
import org.apache.thrift.TSerializer;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.protocol.TCompactProtocol;
import org.junit.jupiter.api.Test;

class ThriftSerializerTest {

    private final ThriftSerializer serializer = ThriftSerializer.INSTANCE;

    @Test
    void identifiesItself() {
        assertThat(serializer.id()).isEqualTo((byte) 2);
        assertThat(serializer.name()).isEqualTo("thrift");
        assertThat(serializer.supportedTypesDescription()).isEqualTo("org.apache.thrift.TBase");
    }

    @Test
    void cannotTellASizeWithoutEncoding() {
        assertThat(serializer.encodedSize(new Object())).isEqualTo(-1);
    }

    @Test
    void roundTripsThroughByteArrays() {
        ThriftEchoRequest request = new ThriftEchoRequest()
                .setText("héllo")
                .setData(ByteBuffer.wrap(new byte[] {0, 1, -1, 127}))
                .setSleepMillis(250);

        ThriftEchoRequest decoded = serializer.decode(serializer.encode(request), ThriftEchoRequest.class);

        assertThat(decoded).isEqualTo(request);
        assertThat(decoded.getSleepMillis()).isEqualTo(250);
        assertThat(decoded.getData()).containsExactly(0, 1, -1, 127);
    }

    @Test
    void roundTripsEveryKindOfFieldThroughStreams() throws IOException {
        ThriftUser user = TestMessages.thriftUser();

        var out = new ByteArrayOutputStream();
        serializer.encode(user, out);
        ThriftUser decoded = serializer.decode(new ByteArrayInputStream(out.toByteArray()), ThriftUser.class);

        assertThat(decoded).isEqualTo(user);
        assertThat(decoded.getRole()).isEqualTo(ThriftRole.ADMIN);
        assertThat(decoded.getAddresses().get(1).getCity()).isEqualTo("Marylebone");
        assertThat(decoded.getScores()).containsEntry("go", -3);
    }

    @Test
    void writesTheCompactProtocol() throws Exception {
        ThriftUser user = TestMessages.thriftUser();

        byte[] ours = serializer.encode(user);

        assertThat(ours).isEqualTo(new TSerializer(new TCompactProtocol.Factory()).serialize(user));
        assertThat(ours).isNotEqualTo(new TSerializer(new TBinaryProtocol.Factory()).serialize(user));
        ThriftUser read = new ThriftUser();
        new TDeserializer(new TCompactProtocol.Factory()).deserialize(read, ours);
        assertThat(read).isEqualTo(user);
    }

    @Test
    void decodedStructDoesNotShareTheInputArray() {
        byte[] bytes = serializer.encode(TestMessages.thriftEchoRequest("abc"));

        ThriftEchoRequest decoded = serializer.decode(bytes, ThriftEchoRequest.class);
        Arrays.fill(bytes, (byte) 0);

        assertThat(decoded.getData()).containsExactly('a', 'b', 'c');
        assertThat(decoded.getText()).isEqualTo("abc");
    }

    @Test
    void supportsThriftStructsOnly() {
        assertThat(serializer.supports(ThriftEchoReply.class)).isTrue();
        assertThat(serializer.supports(TBase.class)).isTrue();
        assertThat(serializer.supports(EchoRequest.class)).isFalse();
        assertThat(serializer.supports(ThriftRole.class)).isFalse();
    }

    @Test
    void truncatedBytesFailWithTheTypeAndTheReason() {
        byte[] bytes = serializer.encode(TestMessages.thriftEchoRequest("a longer text"));
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 4);

        assertThatThrownBy(() -> serializer.decode(truncated, ThriftEchoRequest.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("thrift: invalid " + ThriftEchoRequest.class.getName() + " from "
                        + truncated.length + " bytes: the input ends before the struct does");
        assertThatThrownBy(() -> serializer.decode(new ByteArrayInputStream(truncated), ThriftEchoRequest.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("the input ends before the struct does");
    }

    @Test
    void bytesAfterTheStructAreAnError() {
        byte[] bytes = serializer.encode(TestMessages.thriftEchoRequest("x"));
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);

        assertThatThrownBy(() -> serializer.decode(longer, ThriftEchoRequest.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("2 bytes remain after the end of the struct");
        assertThatThrownBy(() -> serializer.decode(new ByteArrayInputStream(longer), ThriftEchoRequest.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("bytes remain after the end of the struct");
    }

    @Test
    void aLengthLargerThanTheInputFailsBeforeAllocating() {
        // Field 1 (delta 1, compact type 8 = binary), then a declared length of 2^28 - 1 bytes.
        byte[] lying = {0x18, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, 'a', 'b'};

        assertThatThrownBy(() -> serializer.decode(lying, ThriftEchoRequest.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageEndingWith(
                        "from 7 bytes: a length inside it is larger than the input (corrupt or truncated)");
        // Through a stream the real size is unknown: the 64 MiB limit stops it instead.
        assertThatThrownBy(() -> serializer.decode(new ByteArrayInputStream(lying), ThriftEchoRequest.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageEndingWith(
                        "a length inside it is larger than the 67108864-byte limit (corrupt or truncated)");
    }

    @Test
    void aMissingRequiredFieldIsAnErrorBothWays() {
        assertThatThrownBy(() -> serializer.encode(new ThriftUser().setId(7)))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("thrift cannot encode " + ThriftUser.class.getName())
                .hasMessageContaining("'name'");

        // Field 1 of ThriftEchoReply is a string, which ThriftUser's i64 id skips: no id, no name.
        byte[] withoutRequired = serializer.encode(new ThriftEchoReply().setText("x"));
        assertThatThrownBy(() -> serializer.decode(withoutRequired, ThriftUser.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("Required field 'id' was not found");
    }

    @Test
    void aFailingStreamIsAnIoExceptionNotADecodingError() {
        InputStream broken = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("connection reset");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                throw new IOException("connection reset");
            }
        };

        assertThatThrownBy(() -> serializer.decode(broken, ThriftEchoRequest.class))
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("connection reset");
    }

    @Test
    void refusesWhatItCannotHandle() {
        assertThatThrownBy(() -> serializer.encode(TestMessages.echoRequest("x")))
                .isInstanceOf(SerializationException.class)
                .hasMessage("thrift cannot encode " + EchoRequest.class.getName() + ": not a org.apache.thrift.TBase");
        assertThatThrownBy(() -> serializer.decode(new byte[] {0}, TBase.class))
                .isInstanceOf(SerializationException.class)
                .hasMessage("thrift cannot decode org.apache.thrift.TBase: it is abstract;"
                        + " decoding needs a generated struct class");
        assertThatThrownBy(() -> serializer.decode(new byte[] {0}, String.class))
                .isInstanceOf(SerializationException.class)
                .hasMessage("thrift cannot decode java.lang.String: not a org.apache.thrift.TBase");
    }

    @Test
    void anEmptyStructIsOneStopByte() {
        byte[] bytes = serializer.encode(new ThriftEchoReply());

        assertThat(bytes).containsExactly(0);
        assertThat(serializer.decode(bytes, ThriftEchoReply.class)).isEqualTo(new ThriftEchoReply());
    }
}
