package io.outrigger.observability.internal;

import java.lang.reflect.RecordComponent;
import java.util.Map;
import java.util.Optional;

/**
 * A small JSON writer for the admin endpoint: maps (keys by {@code toString}), iterables and arrays,
 * strings, numbers, booleans, {@code null}, optionals, records (by component) and anything else as its
 * {@code toString()}. Non-finite numbers become {@code null}. Output is indented by two spaces.
 */
public final class Json {

    private static final int MAX_DEPTH = 32;

    private Json() {}

    /** {@code value} as indented JSON. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder(256);
        write(sb, value, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object value, int depth) {
        if (depth > MAX_DEPTH) {
            string(sb, "...");
            return;
        }
        if (value == null) {
            sb.append("null");
        } else if (value instanceof CharSequence || value instanceof Character || value instanceof Enum<?>) {
            string(sb, value.toString());
        } else if (value instanceof Boolean) {
            sb.append(value);
        } else if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            sb.append(Double.isFinite(d) ? value.toString() : "null");
        } else if (value instanceof Number) {
            sb.append(value);
        } else if (value instanceof Optional<?> o) {
            write(sb, o.orElse(null), depth);
        } else if (value instanceof Map<?, ?> map) {
            object(sb, map, depth);
        } else if (value instanceof Iterable<?> it) {
            array(sb, it, depth);
        } else if (value instanceof Object[] array) {
            array(sb, java.util.Arrays.asList(array), depth);
        } else if (value.getClass().isRecord()) {
            Map<String, Object> fields = new java.util.LinkedHashMap<>();
            for (RecordComponent c : value.getClass().getRecordComponents()) {
                try {
                    java.lang.reflect.Method accessor = c.getAccessor();
                    accessor.trySetAccessible();
                    fields.put(c.getName(), accessor.invoke(value));
                } catch (ReflectiveOperationException | RuntimeException e) {
                    fields.put(c.getName(), "<" + e + ">");
                }
            }
            object(sb, fields, depth);
        } else {
            string(sb, value.toString());
        }
    }

    private static void object(StringBuilder sb, Map<?, ?> map, int depth) {
        if (map.isEmpty()) {
            sb.append("{}");
            return;
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            sb.append(first ? "\n" : ",\n");
            first = false;
            indent(sb, depth + 1);
            string(sb, String.valueOf(e.getKey()));
            sb.append(": ");
            write(sb, e.getValue(), depth + 1);
        }
        sb.append('\n');
        indent(sb, depth);
        sb.append('}');
    }

    private static void array(StringBuilder sb, Iterable<?> items, int depth) {
        boolean first = true;
        sb.append('[');
        for (Object item : items) {
            sb.append(first ? "\n" : ",\n");
            first = false;
            indent(sb, depth + 1);
            write(sb, item, depth + 1);
        }
        if (!first) {
            sb.append('\n');
            indent(sb, depth);
        }
        sb.append(']');
    }

    private static void indent(StringBuilder sb, int depth) {
        sb.append("  ".repeat(depth));
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
