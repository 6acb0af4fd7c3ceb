package io.outrigger.sidecar.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.outrigger.core.Status;

/** The few bits of JSON the sidecar writes and reads itself: the error shape, strings, admin sections. */
public final class JsonText {

    private static final JsonFormat.Parser LENIENT = JsonFormat.parser().ignoringUnknownFields();

    private JsonText() {}

    /** {@code {"status":"CODE","message":"..."}}. */
    public static String error(Status.Code code, String message) {
        return "{\"status\":" + quote(code.name()) + ",\"message\":" + quote(message == null ? "" : message) + "}";
    }

    /** {@code s} as a JSON string literal. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * {@code value} as JSON: maps (keys as strings), iterables, strings, numbers, booleans and {@code
     * null}; anything else as its {@code toString()} string. For the admin document's sections.
     */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb);
        return sb.toString();
    }

    private static void write(Object value, StringBuilder sb) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
            sb.append(value);
        } else if (value instanceof Number n) {
            double d = n.doubleValue();
            sb.append(Double.isFinite(d) ? String.valueOf(d) : "null");
        } else if (value instanceof java.util.Map<?, ?> map) {
            sb.append('{');
            boolean first = true;
            for (java.util.Map.Entry<?, ?> e : map.entrySet()) {
                sb.append(first ? "" : ",")
                        .append(quote(String.valueOf(e.getKey())))
                        .append(':');
                first = false;
                write(e.getValue(), sb);
            }
            sb.append('}');
        } else if (value instanceof Iterable<?> list) {
            sb.append('[');
            boolean first = true;
            for (Object o : list) {
                sb.append(first ? "" : ",");
                first = false;
                write(o, sb);
            }
            sb.append(']');
        } else {
            sb.append(quote(value.toString()));
        }
    }

    /**
     * The status an app named in a JSON error body ({@code {"status":"NOT_FOUND","message":"..."}}),
     * or {@code null} when the body is not that shape.
     */
    public static Status parseError(String json) {
        Struct.Builder struct = Struct.newBuilder();
        try {
            LENIENT.merge(json, struct);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return null;
        }
        Value status = struct.getFieldsMap().get("status");
        if (status == null || !status.hasStringValue()) {
            return null;
        }
        Status.Code code = StatusMapping.codeNamed(status.getStringValue());
        if (code == null || code == Status.Code.OK) {
            return null;
        }
        Value message = struct.getFieldsMap().get("message");
        return Status.of(code)
                .withDescription(message != null && message.hasStringValue() ? message.getStringValue() : null);
    }
}
