package io.outrigger.serialization;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Modifier;
import java.util.Objects;
import org.apache.thrift.TBase;
import org.apache.thrift.TConfiguration;
import org.apache.thrift.TException;
import org.apache.thrift.protocol.TCompactProtocol;
import org.apache.thrift.transport.TIOStreamTransport;
import org.apache.thrift.transport.TTransportException;

/**
 * The built-in serializer for Thrift structs (wire id {@value #ID}, name {@code "thrift"}): the
 * Thrift <em>compact</em> protocol, without message envelope or framing, so any language's Thrift
 * library reads what it writes with its compact protocol.
 *
 * <p>It supports every {@link TBase} class. Decoding creates the struct through its public no-arg
 * constructor, found once per class and cached as a {@link MethodHandle}; no call does reflection.
 *
 * <p>Limits: a message may be at most {@link #MAX_MESSAGE_SIZE} bytes, and lengths declared inside
 * it are checked against the bytes actually there (for {@link #decode(byte[], Class)}) or against
 * that limit (for streams) before anything is allocated. Structs nest at most 64 deep (Thrift's
 * default recursion limit).
 *
 * <p>Stateless and thread-safe; use {@link #INSTANCE}.
 *
 * <pre>{@code
 * byte[] bytes = ThriftSerializer.INSTANCE.encode(request);
 * ThriftEchoRequest copy = ThriftSerializer.INSTANCE.decode(bytes, ThriftEchoRequest.class);
 * }</pre>
 */
public final class ThriftSerializer implements Serializer {

    /** The wire id of this serializer. */
    public static final byte ID = 2;

    /**
     * The largest message this serializer decodes: 64 MiB. Frames are expected to be limited well
     * below this by the transport; this bound only stops a corrupt length inside a message from
     * making the decoder allocate a huge buffer.
     */
    public static final int MAX_MESSAGE_SIZE = 64 * 1024 * 1024;

    /** The one instance. */
    public static final ThriftSerializer INSTANCE = new ThriftSerializer();

    // Shared by every transport; never modified after this line.
    private static final TConfiguration CONFIGURATION = TConfiguration.custom()
            .setMaxMessageSize(MAX_MESSAGE_SIZE)
            .setMaxFrameSize(MAX_MESSAGE_SIZE)
            .setRecursionLimit(TConfiguration.DEFAULT_RECURSION_DEPTH)
            .build();

    private static final MethodType NEW_STRUCT = MethodType.methodType(TBase.class);

    private static final ClassValue<Constructor> CONSTRUCTORS = new ClassValue<>() {
        @Override
        protected Constructor computeValue(Class<?> type) {
            return Constructor.find(type);
        }
    };

    private ThriftSerializer() {}

    /** Returns {@value #ID}. */
    @Override
    public byte id() {
        return ID;
    }

    /** Returns {@code "thrift"}. */
    @Override
    public String name() {
        return "thrift";
    }

    /** Whether {@code type} implements {@link TBase}. */
    @Override
    public boolean supports(Class<?> type) {
        return TBase.class.isAssignableFrom(type);
    }

    /** Returns {@code "org.apache.thrift.TBase"}. */
    @Override
    public String supportedTypesDescription() {
        return TBase.class.getName();
    }

    /**
     * Writes {@code message} (a {@link TBase}) to {@code out} with the compact protocol. Does not
     * flush or close the stream.
     *
     * @throws SerializationException if {@code message} is not a Thrift struct, or cannot be
     *     written (e.g. a required field is unset)
     * @throws IOException if the stream fails
     */
    @Override
    public void encode(Object message, OutputStream out) throws IOException {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(out, "out");
        if (!(message instanceof TBase<?, ?> struct)) {
            throw new SerializationException(
                    "thrift cannot encode " + message.getClass().getName() + ": not a " + TBase.class.getName());
        }
        try {
            struct.write(new TCompactProtocol(new TIOStreamTransport(CONFIGURATION, out)));
        } catch (TException e) {
            rethrowStreamFailure(e);
            throw new SerializationException(
                    "thrift cannot encode " + message.getClass().getName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads one struct of {@code type} from {@code in}, which must end where the struct ends.
     *
     * @throws SerializationException if the bytes are not a valid compact encoding of {@code type}
     *     (including bytes left after it), or {@code type} has no public no-arg constructor
     * @throws IOException if the stream fails
     */
    @Override
    public <T> T decode(InputStream in, Class<T> type) throws IOException {
        Objects.requireNonNull(in, "in");
        TBase<?, ?> struct = newStruct(type);
        try {
            struct.read(new TCompactProtocol(new TIOStreamTransport(CONFIGURATION, in)));
        } catch (TException | RuntimeException e) {
            rethrowStreamFailure(e);
            throw invalid(type, -1, e);
        }
        if (in.read() != -1) {
            throw new SerializationException("thrift: invalid " + type.getName()
                    + ": bytes remain after the end of the struct (corrupt, or another type?)");
        }
        return type.cast(struct);
    }

    /**
     * Decodes {@code bytes} as a struct of {@code type}. The struct does not share the array (its
     * {@code binary} fields are copies): the caller may reuse it.
     *
     * @throws SerializationException if the bytes are not a valid compact encoding of {@code type}
     *     (including bytes left after it), are longer than {@link #MAX_MESSAGE_SIZE}, or {@code
     *     type} has no public no-arg constructor
     */
    @Override
    public <T> T decode(byte[] bytes, Class<T> type) {
        Objects.requireNonNull(bytes, "bytes");
        TBase<?, ?> struct = newStruct(type);
        if (bytes.length > MAX_MESSAGE_SIZE) {
            throw new SerializationException("thrift: cannot decode " + type.getName() + " from " + bytes.length
                    + " bytes (limit: " + MAX_MESSAGE_SIZE + ")");
        }
        // A stream transport, not TMemoryInputTransport: that one lets binary fields alias the array.
        var in = new ByteArrayInputStream(bytes);
        try {
            var transport = new TIOStreamTransport(CONFIGURATION, in);
            // Lengths inside the message are then checked against the real size, before allocation.
            transport.updateKnownMessageSize(bytes.length);
            struct.read(new TCompactProtocol(transport));
        } catch (TException | RuntimeException e) {
            throw invalid(type, bytes.length, e);
        }
        if (in.available() > 0) {
            throw new SerializationException("thrift: invalid " + type.getName() + " from " + bytes.length
                    + " bytes: " + in.available() + " bytes remain after the end of the struct"
                    + " (corrupt, or another type?)");
        }
        return type.cast(struct);
    }

    @Override
    public String toString() {
        return "ThriftSerializer[id=" + ID + "]";
    }

    private static TBase<?, ?> newStruct(Class<?> type) {
        Constructor constructor = CONSTRUCTORS.get(Objects.requireNonNull(type, "type"));
        if (constructor.handle == null) {
            throw new SerializationException("thrift cannot decode " + type.getName() + ": " + constructor.problem);
        }
        try {
            return (TBase<?, ?>) constructor.handle.invokeExact();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new SerializationException("thrift cannot create " + type.getName() + ": " + e, e);
        }
    }

    /** An I/O failure of the stream itself is an IOException to the caller, not a decoding error. */
    private static void rethrowStreamFailure(Exception e) throws IOException {
        if (e instanceof TTransportException t
                && t.getType() != TTransportException.END_OF_FILE
                && t.getCause() instanceof IOException io) {
            throw io;
        }
    }

    private static SerializationException invalid(Class<?> type, int length, Exception e) {
        String from = length >= 0 ? " from " + length + " bytes" : "";
        String why;
        if (e instanceof TTransportException t && t.getType() == TTransportException.END_OF_FILE) {
            // libthrift reports both a short read and a declared length beyond the limit as END_OF_FILE.
            why = String.valueOf(e.getMessage()).contains("MaxMessageSize")
                    ? "a length inside it is larger than "
                            + (length >= 0 ? "the input" : "the " + MAX_MESSAGE_SIZE + "-byte limit")
                            + " (corrupt or truncated)"
                    : "the input ends before the struct does (truncated or corrupt)";
        } else {
            String detail = e instanceof TException ? e.getMessage() : e.toString();
            why = "corrupt, or another type? (thrift: " + detail + ")";
        }
        return new SerializationException("thrift: invalid " + type.getName() + from + ": " + why, e);
    }

    /** The no-arg constructor of one class as a {@code ()TBase} handle, or why there is none. */
    private static final class Constructor {
        final MethodHandle handle;
        final String problem;

        private Constructor(MethodHandle handle, String problem) {
            this.handle = handle;
            this.problem = problem;
        }

        static Constructor find(Class<?> type) {
            if (!TBase.class.isAssignableFrom(type)) {
                return new Constructor(null, "not a " + TBase.class.getName());
            }
            if (type.isInterface() || Modifier.isAbstract(type.getModifiers())) {
                return new Constructor(null, "it is abstract; decoding needs a generated struct class");
            }
            try {
                MethodHandle handle = MethodHandles.publicLookup()
                        .findConstructor(type, MethodType.methodType(void.class))
                        .asType(NEW_STRUCT);
                return new Constructor(handle, null);
            } catch (NoSuchMethodException | IllegalAccessException e) {
                return new Constructor(
                        null, "it has no public no-arg constructor; decoding needs a generated struct class");
            }
        }
    }
}
