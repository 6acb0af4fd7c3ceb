package io.outrigger.serialization;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Objects;

/**
 * The built-in serializer for protobuf messages (wire id {@value #ID}, name {@code "protobuf"}):
 * the standard protobuf binary encoding, so any language's protobuf library reads what it writes.
 *
 * <p>It supports every {@link Message} class. Decoding needs a generated message class: the
 * class's parser is found once, through its static {@code getDefaultInstance()}, and cached per
 * class; no call does reflection. Use {@link ProtobufJsonTranscoder} for messages known only by
 * their descriptor.
 *
 * <p>Stateless and thread-safe; use {@link #INSTANCE}.
 *
 * <pre>{@code
 * byte[] bytes = ProtobufSerializer.INSTANCE.encode(request);
 * EchoRequest copy = ProtobufSerializer.INSTANCE.decode(bytes, EchoRequest.class);
 * }</pre>
 */
public final class ProtobufSerializer implements Serializer {

    /** The wire id of this serializer. */
    public static final byte ID = 1;

    /** The one instance. */
    public static final ProtobufSerializer INSTANCE = new ProtobufSerializer();

    private static final ClassValue<ParserLookup> PARSERS = new ClassValue<>() {
        @Override
        protected ParserLookup computeValue(Class<?> type) {
            return ParserLookup.find(type);
        }
    };

    private ProtobufSerializer() {}

    /** Returns {@value #ID}. */
    @Override
    public byte id() {
        return ID;
    }

    /** Returns {@code "protobuf"}. */
    @Override
    public String name() {
        return "protobuf";
    }

    /** Whether {@code type} is a {@link Message}. */
    @Override
    public boolean supports(Class<?> type) {
        return Message.class.isAssignableFrom(type);
    }

    /** Returns {@code "com.google.protobuf.Message"}. */
    @Override
    public String supportedTypesDescription() {
        return Message.class.getName();
    }

    /**
     * Writes the binary encoding of {@code message} (a {@link Message}) to {@code out}, without a
     * length prefix. Does not flush or close the stream.
     *
     * @throws SerializationException if {@code message} is not a protobuf message
     * @throws IOException if the stream fails
     */
    /** The message's serialized size, which generated messages compute once and memoize. */
    @Override
    public int encodedSize(Object message) {
        return message instanceof MessageLite m ? m.getSerializedSize() : -1;
    }

    @Override
    public void encode(Object message, OutputStream out) throws IOException {
        asMessage(message).writeTo(out);
    }

    /**
     * Returns the binary encoding of {@code message} (a {@link Message}).
     *
     * @throws SerializationException if {@code message} is not a protobuf message
     */
    @Override
    public byte[] encode(Object message) {
        return asMessage(message).toByteArray();
    }

    /**
     * Reads a message of the generated class {@code type} from {@code in}, to the end of the
     * stream.
     *
     * @throws SerializationException if the bytes are not a valid encoding of {@code type}, or
     *     {@code type} is not a generated protobuf message class
     * @throws IOException if the stream fails
     */
    @Override
    public <T> T decode(InputStream in, Class<T> type) throws IOException {
        Parser<?> parser = parserFor(type);
        try {
            return type.cast(parser.parseFrom(in));
        } catch (InvalidProtocolBufferException e) {
            IOException cause = e.unwrapIOException();
            if (cause != e) {
                throw cause; // the stream failed; the bytes may be fine
            }
            throw invalid(type, e, -1);
        }
    }

    /**
     * Decodes {@code bytes} as a message of the generated class {@code type}. The message does not
     * share the array: the caller may reuse it.
     *
     * @throws SerializationException if the bytes are not a valid encoding of {@code type}, or
     *     {@code type} is not a generated protobuf message class
     */
    @Override
    public <T> T decode(byte[] bytes, Class<T> type) {
        Parser<?> parser = parserFor(type);
        try {
            return type.cast(parser.parseFrom(bytes));
        } catch (InvalidProtocolBufferException e) {
            throw invalid(type, e, bytes.length);
        }
    }

    @Override
    public String toString() {
        return "ProtobufSerializer[id=" + ID + "]";
    }

    private static Message asMessage(Object message) {
        Objects.requireNonNull(message, "message");
        if (message instanceof Message m) {
            return m;
        }
        throw new SerializationException(
                "protobuf cannot encode " + message.getClass().getName() + ": not a " + Message.class.getName());
    }

    private static Parser<?> parserFor(Class<?> type) {
        ParserLookup lookup = PARSERS.get(Objects.requireNonNull(type, "type"));
        if (lookup.parser == null) {
            throw new SerializationException("protobuf cannot decode " + type.getName() + ": " + lookup.problem);
        }
        return lookup.parser;
    }

    private static SerializationException invalid(Class<?> type, InvalidProtocolBufferException e, int length) {
        String from = length >= 0 ? " from " + length + " bytes" : "";
        return new SerializationException(
                "protobuf: invalid " + type.getName() + from + " (corrupt, truncated or another type?): "
                        + e.getMessage(),
                e);
    }

    /** The parser of one class, or why there is none; computed once per class. */
    private static final class ParserLookup {
        final Parser<?> parser;
        final String problem;

        private ParserLookup(Parser<?> parser, String problem) {
            this.parser = parser;
            this.problem = problem;
        }

        static ParserLookup find(Class<?> type) {
            if (!Message.class.isAssignableFrom(type)) {
                return new ParserLookup(null, "not a " + Message.class.getName());
            }
            Method getDefaultInstance;
            try {
                getDefaultInstance = type.getMethod("getDefaultInstance");
            } catch (NoSuchMethodException e) {
                return new ParserLookup(
                        null,
                        "it has no static getDefaultInstance(); decoding needs a generated message class"
                                + " (for a DynamicMessage use ProtobufJsonTranscoder or the type's descriptor)");
            }
            if (!Modifier.isStatic(getDefaultInstance.getModifiers())) {
                return new ParserLookup(null, "its getDefaultInstance() is not static; not a generated message class");
            }
            try {
                Object instance = getDefaultInstance.invoke(null);
                if (!type.isInstance(instance)) {
                    return new ParserLookup(
                            null, "its getDefaultInstance() returned " + instance + ", not a " + type.getName());
                }
                return new ParserLookup(((Message) instance).getParserForType(), null);
            } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
                Throwable cause = e instanceof InvocationTargetException ? e.getCause() : e;
                return new ParserLookup(null, "cannot get its default instance: " + cause);
            }
        }
    }
}
