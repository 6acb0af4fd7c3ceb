package io.outrigger.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import io.outrigger.serialization.testing.TestMessages;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import io.outrigger.serialization.testing.proto.User;
import io.outrigger.serialization.testing.thrift.gen.ThriftEchoRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ProtobufSerializerTest {

    private final ProtobufSerializer serializer = ProtobufSerializer.INSTANCE;

    @Test
    void identifiesItself() {
        assertThat(serializer.id()).isEqualTo((byte) 1);
        assertThat(serializer.name()).isEqualTo("protobuf");
        assertThat(serializer.supportedTypesDescription()).isEqualTo("com.google.protobuf.Message");
    }

    @Test
    void roundTripsThroughByteArrays() {
        EchoRequest request = EchoRequest.newBuilder()
                .setText("héllo")
                .setData(ByteString.copyFrom(new byte[] {0, 1, -1, 127}))
                .setSleepMillis(250)
                .build();

        byte[] bytes = serializer.encode(request);
        EchoRequest decoded = serializer.decode(bytes, EchoRequest.class);

        assertThat(decoded).isEqualTo(request);
        assertThat(decoded.getSleepMillis()).isEqualTo(250);
    }

    @Test
    void roundTripsEveryKindOfFieldThroughStreams() throws IOException {
        User user = TestMessages.user();

        var out = new ByteArrayOutputStream();
        serializer.encode(user, out);
        User decoded = serializer.decode(new ByteArrayInputStream(out.toByteArray()), User.class);

        assertThat(decoded).isEqualTo(user);
        assertThat(decoded.getAddresses(1).getCity()).isEqualTo("Marylebone");
        assertThat(decoded.getScoresMap()).containsEntry("go", -3);
        assertThat(decoded.getExtra().unpack(EchoRequest.class).getText()).isEqualTo("packed");
    }

    @Test
    void reportsTheEncodedSizeWithoutEncoding() {
        User user = TestMessages.user();

        assertThat(serializer.encodedSize(user)).isEqualTo(serializer.encode(user).length);
        assertThat(serializer.encodedSize(EchoRequest.getDefaultInstance())).isZero();
        assertThat(serializer.encodedSize("not a message")).isEqualTo(-1);
    }

    @Test
    void writesTheStandardEncoding() throws Exception {
        User user = TestMessages.user();

        assertThat(serializer.encode(user)).isEqualTo(user.toByteArray());
        assertThat(User.parseFrom(serializer.encode(user))).isEqualTo(user);
    }

    @Test
    void decodesEmptyInputAsTheDefaultMessage() {
        assertThat(serializer.decode(new byte[0], EchoReply.class)).isEqualTo(EchoReply.getDefaultInstance());
    }

    @Test
    void decodedMessageDoesNotShareTheInputArray() {
        byte[] bytes = serializer.encode(TestMessages.echoRequest("abc"));

        EchoRequest decoded = serializer.decode(bytes, EchoRequest.class);
        Arrays.fill(bytes, (byte) 0);

        assertThat(decoded.getData().toStringUtf8()).isEqualTo("abc");
    }

    @Test
    void supportsProtobufMessagesOnly() {
        assertThat(serializer.supports(EchoRequest.class)).isTrue();
        assertThat(serializer.supports(Message.class)).isTrue();
        assertThat(serializer.supports(ThriftEchoRequest.class)).isFalse();
        assertThat(serializer.supports(String.class)).isFalse();
    }

    @Test
    void truncatedBytesFailWithTheTypeAndTheReason() {
        byte[] bytes = serializer.encode(TestMessages.echoRequest("a longer text"));
        byte[] truncated = Arrays.copyOf(bytes, bytes.length - 3);

        assertThatThrownBy(() -> serializer.decode(truncated, EchoRequest.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith(
                        "protobuf: invalid " + EchoRequest.class.getName() + " from " + truncated.length + " bytes")
                .hasMessageContaining("input ended unexpectedly");
    }

    @Test
    void garbageFailsThroughStreamsToo() {
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};

        assertThatThrownBy(() -> serializer.decode(new ByteArrayInputStream(garbage), EchoRequest.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(EchoRequest.class.getName());
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

        assertThatThrownBy(() -> serializer.decode(broken, EchoRequest.class))
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("connection reset");
    }

    @Test
    void refusesToEncodeWhatIsNotAMessage() {
        assertThatThrownBy(() -> serializer.encode("text"))
                .isInstanceOf(SerializationException.class)
                .hasMessage("protobuf cannot encode java.lang.String: not a com.google.protobuf.Message");
    }

    @Test
    void decodingNeedsAGeneratedClass() {
        assertThatThrownBy(() -> serializer.decode(new byte[0], Message.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("com.google.protobuf.Message")
                .hasMessageContaining("getDefaultInstance");
        assertThatThrownBy(() -> serializer.decode(new byte[0], DynamicMessage.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("generated message class");
        assertThatThrownBy(() -> serializer.decode(new byte[0], String.class))
                .isInstanceOf(SerializationException.class)
                .hasMessage("protobuf cannot decode java.lang.String: not a com.google.protobuf.Message");
    }

    @Test
    void decodesManyTypesConcurrently() throws Exception {
        // The parser cache is filled concurrently the first time; every thread must get a parser.
        Thread[] threads = new Thread[8];
        Throwable[] failure = new Throwable[1];
        for (int i = 0; i < threads.length; i++) {
            int n = i;
            threads[i] = new Thread(() -> {
                try {
                    for (int j = 0; j < 200; j++) {
                        String text = "t" + n + "-" + j;
                        assertThat(serializer
                                        .decode(serializer.encode(TestMessages.echoRequest(text)), EchoRequest.class)
                                        .getText())
                                .isEqualTo(text);
                        assertThat(serializer.decode(serializer.encode(TestMessages.user()), User.class))
                                .isEqualTo(TestMessages.user());
                    }
                } catch (Throwable t) {
                    failure[0] = t;
                }
            });
            threads[i].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failure[0]).isNull();
    }
}
