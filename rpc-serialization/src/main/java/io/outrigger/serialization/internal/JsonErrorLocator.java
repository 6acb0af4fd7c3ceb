package io.outrigger.serialization.internal;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.util.List;
import java.util.Map;

/**
 * Finds where in a JSON document the field is that protobuf's {@link JsonFormat} rejected.
 *
 * <p>{@code JsonFormat} says what is wrong ({@code Not an int64 value: "abc"}) but not where. After
 * a failure, this parses the document as a generic JSON tree and re-parses one field at a time,
 * descending into message fields, until it finds the smallest part that fails; the answer is a
 * path such as {@code $.addresses[1].city}. It runs only on the failure path.
 *
 * <p>Stateless and thread-safe.
 */
public final class JsonErrorLocator {

    private static final JsonFormat.Printer GENERIC = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser GENERIC_PARSER = JsonFormat.parser();

    private JsonErrorLocator() {}

    /**
     * The path ({@code $.a.b[2]}) of the part of {@code json} that {@code parser} cannot merge into
     * a {@code type}, or {@code null} if {@code json} is not well-formed JSON or the failure cannot
     * be narrowed below the whole document.
     */
    public static String locate(String json, Descriptor type, JsonFormat.Parser parser) {
        Value root;
        try {
            Value.Builder builder = Value.newBuilder();
            GENERIC_PARSER.merge(json, builder);
            root = builder.build();
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return null; // not JSON at all: JsonFormat's own message already says where
        }
        String path = locate(root, type, "$", parser);
        return "$".equals(path) ? null : path;
    }

    private static String locate(Value value, Descriptor type, String path, JsonFormat.Parser parser) {
        if (value.getKindCase() != Value.KindCase.STRUCT_VALUE) {
            return path;
        }
        for (Map.Entry<String, Value> entry :
                value.getStructValue().getFieldsMap().entrySet()) {
            String key = entry.getKey();
            Value fieldValue = entry.getValue();
            Value alone = Value.newBuilder()
                    .setStructValue(Struct.newBuilder().putFields(key, fieldValue))
                    .build();
            if (parses(alone, type, parser)) {
                continue;
            }
            String here = path + "." + key;
            FieldDescriptor field = findField(type, key);
            if (field == null || !isPlainMessage(field)) {
                return here;
            }
            if (field.isMapField()) {
                return locateInMap(fieldValue, field, here, parser);
            }
            if (field.isRepeated()) {
                return locateInList(fieldValue, field.getMessageType(), here, parser);
            }
            return locate(fieldValue, field.getMessageType(), here, parser);
        }
        return path; // every field parses alone: the combination fails (e.g. two fields of a oneof)
    }

    private static String locateInList(Value value, Descriptor type, String path, JsonFormat.Parser parser) {
        if (value.getKindCase() != Value.KindCase.LIST_VALUE) {
            return path;
        }
        List<Value> elements = value.getListValue().getValuesList();
        for (int i = 0; i < elements.size(); i++) {
            if (!parses(elements.get(i), type, parser)) {
                return locate(elements.get(i), type, path + "[" + i + "]", parser);
            }
        }
        return path;
    }

    private static String locateInMap(Value value, FieldDescriptor mapField, String path, JsonFormat.Parser parser) {
        FieldDescriptor valueField = mapField.getMessageType().findFieldByName("value");
        if (value.getKindCase() != Value.KindCase.STRUCT_VALUE || !isPlainMessage(valueField)) {
            return path;
        }
        for (Map.Entry<String, Value> entry :
                value.getStructValue().getFieldsMap().entrySet()) {
            if (!parses(entry.getValue(), valueField.getMessageType(), parser)) {
                return locate(
                        entry.getValue(), valueField.getMessageType(), path + "[\"" + entry.getKey() + "\"]", parser);
            }
        }
        return path;
    }

    private static boolean parses(Value value, Descriptor type, JsonFormat.Parser parser) {
        try {
            parser.merge(GENERIC.print(value), DynamicMessage.newBuilder(type));
            return true;
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return false;
        }
    }

    /** A message field whose JSON form is an ordinary object (not a well-known type's special form). */
    private static boolean isPlainMessage(FieldDescriptor field) {
        return field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
                && !field.getMessageType().getFile().getPackage().equals("google.protobuf");
    }

    private static FieldDescriptor findField(Descriptor type, String jsonKey) {
        for (FieldDescriptor field : type.getFields()) {
            if (field.getJsonName().equals(jsonKey) || field.getName().equals(jsonKey)) {
                return field;
            }
        }
        return null;
    }
}
