package io.outrigger.core;

import io.outrigger.serialization.SerializationException;
import io.outrigger.serialization.Serializer;
import io.outrigger.serialization.Serializers;
import java.util.Objects;

/**
 * The message of a request or a response, in one of two forms:
 *
 * <ul>
 *   <li>{@link OfMessage}: a message object (a protobuf {@code Message} or a Thrift {@code TBase}),
 *       encoded only when it is written to the wire;
 *   <li>{@link Encoded}: bytes already encoded, with the id of the serializer that made them. A proxy
 *       such as the sidecar forwards these without ever decoding them.
 * </ul>
 *
 * <p>Immutable (the byte array of an {@code Encoded} payload must not be modified once handed over).
 */
public sealed interface Payload permits Payload.OfMessage, Payload.Encoded {

    /** The payload of a response that carries no message (failures). */
    Encoded EMPTY = new Encoded((byte) 0, new byte[0]);

    /** A payload holding {@code message}, encoded later by the serializer that supports its type. */
    static Payload of(Object message) {
        return new OfMessage(message);
    }

    /** A payload of bytes already encoded by the serializer with id {@code serializerId}. */
    static Encoded encoded(byte serializerId, byte[] bytes) {
        return new Encoded(serializerId, bytes);
    }

    /**
     * The message as an instance of {@code type}: the object itself, or the bytes decoded by the
     * serializer whose id they carry.
     *
     * @throws RpcException {@code INVALID_ARGUMENT} if the serializer is unknown or the bytes are not
     *     a valid {@code type}; {@code INTERNAL} if a message object has another type
     */
    <T> T decode(Class<T> type, Serializers serializers);

    /** A message object, encoded on demand. */
    record OfMessage(Object message) implements Payload {
        public OfMessage {
            Objects.requireNonNull(message, "message");
        }

        @Override
        public <T> T decode(Class<T> type, Serializers serializers) {
            if (!type.isInstance(message)) {
                throw RpcException.of(Status.INTERNAL.withDescription(
                        "payload is a " + message.getClass().getName() + ", expected " + type.getName()));
            }
            return type.cast(message);
        }
    }

    /** Encoded bytes plus the id of the serializer that made them; id 0 means no message. */
    record Encoded(byte serializerId, byte[] bytes) implements Payload {
        public Encoded {
            Objects.requireNonNull(bytes, "bytes");
        }

        @Override
        public <T> T decode(Class<T> type, Serializers serializers) {
            Serializer serializer = serializers.byId(serializerId);
            if (serializer == null) {
                throw RpcException.of(Status.INVALID_ARGUMENT.withDescription("payload has serializer id "
                        + (serializerId & 0xff) + ", which this process does not know; known: "
                        + describe(serializers)));
            }
            try {
                return serializer.decode(bytes, type);
            } catch (SerializationException | ClassCastException e) {
                throw RpcException.of(Status.INVALID_ARGUMENT
                        .withDescription("cannot decode " + bytes.length + " bytes as " + type.getName() + " with "
                                + serializer.name() + ": " + e.getMessage())
                        .withCause(e));
            }
        }

        /** The number of encoded bytes. */
        public int size() {
            return bytes.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Encoded e && e.serializerId == serializerId && java.util.Arrays.equals(e.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return 31 * serializerId + java.util.Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Encoded[serializer=" + (serializerId & 0xff) + ", " + bytes.length + " bytes]";
        }

        private static String describe(Serializers serializers) {
            StringBuilder sb = new StringBuilder();
            for (Serializer s : serializers.all()) {
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                sb.append(s.id() & 0xff).append('=').append(s.name());
            }
            return sb.toString();
        }
    }
}
