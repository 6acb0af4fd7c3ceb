package io.outrigger.serialization.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.outrigger.serialization.ProtobufSerializer;
import io.outrigger.serialization.SerializationException;
import io.outrigger.serialization.Serializer;
import io.outrigger.serialization.Serializers;
import io.outrigger.serialization.ThriftSerializer;
import io.outrigger.serialization.testing.proto.EchoRequest;
import io.outrigger.serialization.testing.proto.User;
import io.outrigger.serialization.testing.thrift.gen.ThriftEchoRequest;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerializerRegistryTest {

    private static final List<Serializer> BUILT_INS = List.of(ProtobufSerializer.INSTANCE, ThriftSerializer.INSTANCE);

    @Test
    void defaultsHoldTheBuiltInsAndThePlugInFoundByServiceLoader() {
        Serializers defaults = Serializers.defaults();

        assertThat(defaults).isSameAs(SerializerRegistry.DEFAULT);
        assertThat(defaults.byId((byte) 1)).isSameAs(ProtobufSerializer.INSTANCE);
        assertThat(defaults.byId((byte) 2)).isSameAs(ThriftSerializer.INSTANCE);
        assertThat(defaults.byId(Utf8TextSerializer.ID)).isInstanceOf(Utf8TextSerializer.class);
        assertThat(defaults.all()).extracting(Serializer::name).containsExactly("protobuf", "thrift", "utf8-text");
    }

    @Test
    void aPlugInWithoutATypeDescriptionIsNamedByItsClass() {
        assertThatThrownBy(() -> Serializers.defaults().forType(Integer.class))
                .isInstanceOf(SerializationException.class)
                .hasMessageEndingWith(
                        ", 200=utf8-text for types accepted by " + Utf8TextSerializer.class.getName() + ")");
    }

    @Test
    void aPlugInServesItsTypes() {
        Serializer text = Serializers.defaults().forType(String.class);

        assertThat(text.name()).isEqualTo("utf8-text");
        assertThat(text.decode(text.encode("héllo"), String.class)).isEqualTo("héllo");
    }

    @Test
    void findsSerializersByType() {
        Serializers serializers = Serializers.of(BUILT_INS);

        assertThat(serializers.forType(EchoRequest.class)).isSameAs(ProtobufSerializer.INSTANCE);
        assertThat(serializers.forType(User.Address.class)).isSameAs(ProtobufSerializer.INSTANCE);
        assertThat(serializers.forType(ThriftEchoRequest.class)).isSameAs(ThriftSerializer.INSTANCE);
        assertThat(serializers.supports(EchoRequest.class)).isTrue();
        assertThat(serializers.supports(String.class)).isFalse();
    }

    @Test
    void anUnsupportedTypeNamesTheTypeAndTheKnownSerializers() {
        Serializers serializers = Serializers.of(BUILT_INS);

        assertThatThrownBy(() -> serializers.forType(String.class))
                .isInstanceOf(SerializationException.class)
                .hasMessage(
                        "no serializer supports java.lang.String (known: 1=protobuf for com.google.protobuf.Message,"
                                + " 2=thrift for org.apache.thrift.TBase)");
        // The negative answer is cached too, and stays an error.
        assertThatThrownBy(() -> serializers.forType(String.class)).isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> Serializers.of(List.of()).forType(String.class))
                .hasMessage("no serializer supports java.lang.String (known: none)");
    }

    @Test
    void findsSerializersByUnsignedId() {
        Serializer high = new FixedSerializer((byte) 255, "high", Integer.class);
        Serializers serializers = Serializers.of(List.of(ThriftSerializer.INSTANCE, high));

        assertThat(serializers.byId((byte) 255)).isSameAs(high);
        assertThat(serializers.byId((byte) 2)).isSameAs(ThriftSerializer.INSTANCE);
        assertThat(serializers.byId((byte) 1)).isNull();
        assertThat(serializers.byId((byte) 0)).isNull();
        assertThat(serializers.byId((byte) 128)).isNull();
    }

    @Test
    void listsSerializersByIdWhateverTheOrderGiven() {
        Serializer user = new FixedSerializer((byte) 64, "user", Integer.class);
        Serializers serializers = Serializers.of(List.of(user, ThriftSerializer.INSTANCE, ProtobufSerializer.INSTANCE));

        assertThat(serializers.all()).containsExactly(ProtobufSerializer.INSTANCE, ThriftSerializer.INSTANCE, user);
        assertThatThrownBy(() -> serializers.all().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void aDuplicateIdNamesBothSerializers() {
        Serializer impostor = new FixedSerializer((byte) 1, "impostor", Integer.class);

        assertThatThrownBy(() -> Serializers.of(List.of(ProtobufSerializer.INSTANCE, impostor)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("serializer id 1 is used by both protobuf (" + ProtobufSerializer.class.getName()
                        + ") and impostor (" + FixedSerializer.class.getName() + "); ids must be unique");
    }

    @Test
    void idZeroIsReserved() {
        assertThatThrownBy(() -> Serializers.of(List.of(new FixedSerializer((byte) 0, "zero", Integer.class))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has id 0 (expected: 1..255");
    }

    @Test
    void theFirstSerializerGivenWinsWhenSeveralSupportAType() {
        Serializer messages = new FixedSerializer((byte) 70, "messages", Message.class);

        assertThat(Serializers.of(List.of(messages, ProtobufSerializer.INSTANCE))
                        .forType(EchoRequest.class))
                .isSameAs(messages);
        assertThat(Serializers.of(List.of(ProtobufSerializer.INSTANCE, messages))
                        .forType(EchoRequest.class))
                .isSameAs(ProtobufSerializer.INSTANCE);
    }

    @Test
    void asksEachSerializerOncePerType() {
        var counting = new FixedSerializer((byte) 90, "counting", Integer.class);
        Serializers serializers = Serializers.of(List.of(counting));

        for (int i = 0; i < 5; i++) {
            assertThat(serializers.forType(Integer.class)).isSameAs(counting);
            assertThat(serializers.supports(Long.class)).isFalse();
        }

        assertThat(counting.supportsCalls.get()).isEqualTo(2); // once for Integer, once for Long
    }

    @Test
    void copiesTheListItIsGiven() {
        List<Serializer> list = new ArrayList<>(BUILT_INS);
        Serializers serializers = Serializers.of(list);
        list.clear();

        assertThat(serializers.all()).hasSize(2);
        assertThat(serializers.toString()).contains("1=protobuf", "2=thrift");
    }

    /** Supports exactly the subtypes of one class, and counts how often it is asked. */
    private static final class FixedSerializer implements Serializer {
        private final byte id;
        private final String name;
        private final Class<?> supported;
        final AtomicInteger supportsCalls = new AtomicInteger();

        FixedSerializer(byte id, String name, Class<?> supported) {
            this.id = id;
            this.name = name;
            this.supported = supported;
        }

        @Override
        public byte id() {
            return id;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean supports(Class<?> type) {
            supportsCalls.incrementAndGet();
            return supported.isAssignableFrom(type);
        }

        @Override
        public void encode(Object message, OutputStream out) {
            throw new UnsupportedOperationException();
        }

        @Override
        public <T> T decode(InputStream in, Class<T> type) {
            throw new UnsupportedOperationException();
        }
    }
}
