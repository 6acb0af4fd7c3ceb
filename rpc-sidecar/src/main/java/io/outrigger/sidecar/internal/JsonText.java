package io.outrigger.sidecar.internal;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.outrigger.core.Status;

/** The few bits of JSON the sidecar writes and reads itself: the error shape, strings. */
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
