package io.outrigger.serialization;

import java.util.List;

/**
 * The set of known serializers, looked up by wire id or by message type.
 *
 * <p>{@link #defaults()} holds the built-in Protobuf (id 1) and Thrift (id 2) serializers plus any
 * found on the class path through {@link java.util.ServiceLoader}. Instances are immutable and
 * thread-safe; lookups by id are an array index and lookups by type are cached per class.
 */
public interface Serializers {

    /** The built-in serializers plus those registered through {@code ServiceLoader}. */
    static Serializers defaults() {
        return io.outrigger.serialization.internal.SerializerRegistry.DEFAULT;
    }

    /**
     * A set made of exactly {@code serializers}; ids must be unique and in 1..255.
     *
     * <p>When several serializers support a type, {@link #forType} picks the first in the order
     * given here.
     *
     * @throws IllegalArgumentException naming both serializers if two share an id
     */
    static Serializers of(List<Serializer> serializers) {
        return new io.outrigger.serialization.internal.SerializerRegistry(serializers);
    }

    /** The serializer with wire id {@code id}, or {@code null} if none is registered. */
    Serializer byId(byte id);

    /**
     * The serializer for messages of {@code type}.
     *
     * @throws SerializationException naming the type and the known serializers if none supports it
     */
    Serializer forType(Class<?> type);

    /** Whether some serializer supports {@code type}. */
    boolean supports(Class<?> type);

    /** All registered serializers, ordered by id. */
    List<Serializer> all();
}
