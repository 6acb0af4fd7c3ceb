package io.outrigger.serialization;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Turns messages into bytes and back, for one family of message types (protobuf {@code Message}s,
 * Thrift {@code TBase}s, ...).
 *
 * <p>Each serializer has a one-byte {@link #id()} that travels in every frame, so the receiver
 * knows how the payload is encoded without looking at it. Ids 1-63 are reserved for Outrigger;
 * ids 64-255 are free for users. Id 0 means "no payload / UTF-8 text" on the wire and is never a
 * serializer.
 *
 * <p>Implementations must be stateless and thread-safe: one instance serves every call. Users plug
 * in their own through {@link java.util.ServiceLoader} (see {@link Serializers}).
 *
 * <p>Java native serialization is never an implementation: it is neither cross-language nor safe.
 */
public interface Serializer {

    /** The id written in frames; 1..255, unique among the registered serializers. */
    byte id();

    /** A short lowercase name for logs, errors and content-type mapping, e.g. {@code "protobuf"}. */
    String name();

    /** Whether this serializer can encode and decode instances of {@code type}. */
    boolean supports(Class<?> type);

    /**
     * Names the message types this serializer supports, for error messages such as {@code "no
     * serializer supports com.example.Foo (known: 1=protobuf for com.google.protobuf.Message)"}.
     *
     * <p>Defaults to {@code "types accepted by <class name>"}; implementations should return the
     * base type they support, e.g. {@code "com.google.protobuf.Message"}.
     */
    default String supportedTypesDescription() {
        return "types accepted by " + getClass().getName();
    }

    /**
     * Writes {@code message} to {@code out}. Does not close the stream.
     *
     * @throws SerializationException if the message cannot be encoded
     */
    void encode(Object message, OutputStream out) throws IOException;

    /**
     * Reads one message of {@code type} from {@code in}, which holds exactly the encoded bytes.
     *
     * @throws SerializationException if the bytes are not a valid encoding of {@code type}
     */
    <T> T decode(InputStream in, Class<T> type) throws IOException;

    /**
     * The number of bytes {@link #encode(Object, OutputStream)} would write for {@code message}, when
     * the serializer can tell without encoding it, or {@code -1}. Metrics and access logs use it to
     * record the size of messages that are encoded only when the transport writes them; it must be
     * cheap (protobuf messages memoize their size, so asking before encoding costs nothing extra).
     *
     * <p>Defaults to {@code -1}.
     */
    default int encodedSize(Object message) {
        return -1;
    }

    /** Encodes {@code message} to a new array. */
    default byte[] encode(Object message) {
        var out = new java.io.ByteArrayOutputStream(256);
        try {
            encode(message, out);
        } catch (IOException e) {
            throw new SerializationException(
                    name() + ": cannot encode " + message.getClass().getName(), e);
        }
        return out.toByteArray();
    }

    /** Decodes {@code bytes} as a message of {@code type}. */
    default <T> T decode(byte[] bytes, Class<T> type) {
        try {
            return decode(new java.io.ByteArrayInputStream(bytes), type);
        } catch (IOException e) {
            throw new SerializationException(name() + ": cannot decode " + type.getName(), e);
        }
    }
}
