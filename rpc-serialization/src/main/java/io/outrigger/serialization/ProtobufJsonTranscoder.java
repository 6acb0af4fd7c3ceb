package io.outrigger.serialization;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UninitializedMessageException;
import com.google.protobuf.util.JsonFormat;
import io.outrigger.serialization.internal.JsonErrorLocator;
import java.util.Objects;

/**
 * Converts between the JSON form and the binary form of protobuf messages known only by their
 * descriptors, so that a caller can send JSON where a service expects protobuf bytes (and read the
 * reply as JSON) without generated classes.
 *
 * <p>The JSON follows protobuf's canonical JSON mapping (as {@link JsonFormat} implements it):
 *
 * <ul>
 *   <li>output uses lowerCamelCase field names, leaves out fields that hold their default value,
 *       writes 64-bit integers as strings and enums by name, with no insignificant whitespace;
 *   <li>input accepts lowerCamelCase or original field names, enums by name or number, and
 *       rejects fields the type does not have (a misspelt field is an error, not silently lost);
 *   <li>{@code google.protobuf.Any} fields resolve the types in the {@link #catalog()}.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * var transcoder = ProtobufJsonTranscoder.of(DescriptorCatalog.fromDescriptorSet(bytesOfSet));
 * byte[] request = transcoder.jsonToProtobuf("{\"text\":\"hi\"}", "outrigger.testing.EchoRequest");
 * String reply = transcoder.protobufToJson(replyBytes, "outrigger.testing.EchoReply");
 * }</pre>
 */
public final class ProtobufJsonTranscoder {

    private final DescriptorCatalog catalog;
    private final JsonFormat.Parser parser;
    private final JsonFormat.Printer printer;

    private ProtobufJsonTranscoder(DescriptorCatalog catalog) {
        this.catalog = catalog;
        this.parser = JsonFormat.parser().usingTypeRegistry(catalog.typeRegistry());
        this.printer =
                JsonFormat.printer().usingTypeRegistry(catalog.typeRegistry()).omittingInsignificantWhitespace();
    }

    /** A transcoder for the message types of {@code catalog}. */
    public static ProtobufJsonTranscoder of(DescriptorCatalog catalog) {
        return new ProtobufJsonTranscoder(Objects.requireNonNull(catalog, "catalog"));
    }

    /**
     * A transcoder for the message types of the file that defines {@code type}, and of the files
     * it imports.
     */
    public static ProtobufJsonTranscoder of(Descriptor type) {
        return of(DescriptorCatalog.of(Objects.requireNonNull(type, "type").getFile()));
    }

    /**
     * A transcoder for the message types of {@code set}, e.g. one made by {@code protoc
     * --include_imports --descriptor_set_out}.
     *
     * @throws SerializationException if the set is not self-consistent (see {@link
     *     DescriptorCatalog#fromDescriptorSet(FileDescriptorSet)})
     */
    public static ProtobufJsonTranscoder of(FileDescriptorSet set) {
        return of(DescriptorCatalog.fromDescriptorSet(set));
    }

    /** The message types this transcoder knows by name, and resolves in {@code Any} fields. */
    public DescriptorCatalog catalog() {
        return catalog;
    }

    /**
     * Parses {@code json} as a message of {@code type} and returns its binary encoding.
     *
     * <p>{@code type} need not be in the catalog, but {@code Any} fields inside it can only hold
     * types that are.
     *
     * @throws SerializationException if {@code json} is not valid JSON for {@code type}; the
     *     message says where ({@code $.user.id}) and what is wrong, e.g. {@code invalid JSON for
     *     demo.GetUserRequest at $.id: Not an int64 value: "abc"}
     */
    public byte[] jsonToProtobuf(String json, Descriptor type) {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(type, "type");
        DynamicMessage.Builder builder = DynamicMessage.newBuilder(type);
        try {
            parser.merge(json, builder);
            return builder.build().toByteArray();
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            if (e instanceof UninitializedMessageException missing) {
                throw new SerializationException(
                        "invalid JSON for " + type.getFullName() + ": " + missing.getMessage(), e);
            }
            String path = JsonErrorLocator.locate(json, type, parser);
            String where = path == null ? "" : " at " + path;
            throw new SerializationException(
                    "invalid JSON for " + type.getFullName() + where + ": "
                            + String.valueOf(e.getMessage()).strip(),
                    e);
        }
    }

    /**
     * Parses {@code json} as a message of the catalog's type named {@code messageType}, e.g. {@code
     * "demo.GetUserRequest"}, and returns its binary encoding.
     *
     * @throws SerializationException if the type is unknown or {@code json} is not valid for it
     */
    public byte[] jsonToProtobuf(String json, String messageType) {
        return jsonToProtobuf(json, catalog.messageType(messageType));
    }

    /**
     * Decodes {@code bytes} as a message of {@code type} and returns its JSON form.
     *
     * @throws SerializationException if the bytes are not a valid encoding of {@code type}, or hold
     *     an {@code Any} whose type the catalog does not know
     */
    public String protobufToJson(byte[] bytes, Descriptor type) {
        Objects.requireNonNull(bytes, "bytes");
        Objects.requireNonNull(type, "type");
        DynamicMessage message;
        try {
            message = DynamicMessage.parseFrom(type, bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new SerializationException(
                    "protobuf: invalid " + type.getFullName() + " from " + bytes.length
                            + " bytes (corrupt, truncated or another type?): " + e.getMessage(),
                    e);
        }
        try {
            return printer.print(message);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            String hint = String.valueOf(e.getMessage()).startsWith("Cannot find type for url")
                    ? " (an Any field can only hold types in the transcoder's catalog)"
                    : "";
            throw new SerializationException(
                    "cannot write " + type.getFullName() + " as JSON: " + e.getMessage() + hint, e);
        }
    }

    /**
     * Decodes {@code bytes} as a message of the catalog's type named {@code messageType} and returns
     * its JSON form.
     *
     * @throws SerializationException if the type is unknown or the bytes are not valid for it
     */
    public String protobufToJson(byte[] bytes, String messageType) {
        return protobufToJson(bytes, catalog.messageType(messageType));
    }

    @Override
    public String toString() {
        return "ProtobufJsonTranscoder[" + catalog + "]";
    }
}
