package io.outrigger.governance.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Parses and validates rule documents: duplicate keys, wrong types (a string where a number belongs,
 * or the reverse), trailing content and out-of-range values are errors, reported with the path of
 * the offending field.
 *
 * <p>Unknown fields are ignored and listed ({@link ServiceRules#ignoredFields()}, logged by the rule
 * store), so a document written for a newer Outrigger still reaches older readers: they apply what
 * they know instead of staying on stale rules. A document that must not be half-understood says
 * {@code "minReaderVersion": N}; readers older than {@code N} reject it whole. Thread-safe.
 */
public final class RuleParser {

    /**
     * The version of the rule format this reader understands. Raised when a release adds fields
     * whose absence would change a document's meaning for the worse (a document may then require
     * it with {@code minReaderVersion}). 2: {@code retry.backoffMillis}, {@code
     * retry.maxBackoffMillis}, {@code routing.enforced}.
     */
    public static final int READER_VERSION = 2;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .withCoercionConfig(
                    LogicalType.Textual,
                    c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                            .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Float, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail))
            .build();

    private RuleParser() {}

    /**
     * Parses {@code json} into rules; {@code null} or blank text means no rules.
     *
     * @throws IllegalArgumentException with the path of the first problem and what was expected
     */
    public static ServiceRules parse(String json) {
        if (json == null || json.isBlank()) {
            return ServiceRules.NONE;
        }
        RuleDocument doc;
        List<String> ignored = new ArrayList<>();
        try {
            doc = MAPPER.readValue(json, RuleDocument.class);
            unknownFields(MAPPER.readTree(json), RuleDocument.class, "", ignored);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(describe(e), e);
        }
        if (doc == null) {
            throw new IllegalArgumentException("the document is null (expected: a JSON object)");
        }
        if (doc.minReaderVersion() != null && doc.minReaderVersion() > READER_VERSION) {
            throw new IllegalArgumentException("the document needs a rule reader of version " + doc.minReaderVersion()
                    + " or later (minReaderVersion); this one is version " + READER_VERSION
                    + ": upgrade Outrigger here to apply it");
        }
        return new ServiceRules(doc, json, ignored);
    }

    private static String describe(JsonProcessingException e) {
        String where = e instanceof JsonMappingException m ? path(m) : "";
        String at = e.getLocation() == null
                ? ""
                : " (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ")";
        if (e instanceof UnrecognizedPropertyException u) {
            return "unknown field \"" + u.getPropertyName() + "\" at " + where + at + " (expected one of "
                    + names(u.getKnownPropertyIds()) + ")";
        }
        // A range check in a record constructor: its message says what was expected.
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof IllegalArgumentException iae && iae.getMessage() != null) {
                return "at " + where + ": " + iae.getMessage();
            }
        }
        return "at " + where + at + ": " + e.getOriginalMessage();
    }

    /**
     * Adds to {@code out} the path of every field of {@code node} that {@code type} (a record of the
     * rule document, a map or list of them, or a plain value) has no place for.
     */
    private static void unknownFields(JsonNode node, Type type, String path, List<String> out) {
        Class<?> raw = type instanceof ParameterizedType pt ? (Class<?>) pt.getRawType() : (Class<?>) type;
        if (raw.isRecord() && node.isObject()) {
            Map<String, Type> fields = new HashMap<>();
            for (RecordComponent c : raw.getRecordComponents()) {
                fields.put(c.getName(), c.getGenericType());
            }
            node.fields().forEachRemaining(e -> {
                String at = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
                Type field = fields.get(e.getKey());
                if (field == null) {
                    out.add(at);
                } else {
                    unknownFields(e.getValue(), field, at, out);
                }
            });
        } else if (Map.class.isAssignableFrom(raw) && node.isObject() && type instanceof ParameterizedType pt) {
            Type values = pt.getActualTypeArguments()[1];
            node.fields().forEachRemaining(e -> unknownFields(e.getValue(), values, path + "." + e.getKey(), out));
        } else if (List.class.isAssignableFrom(raw) && node.isArray() && type instanceof ParameterizedType pt) {
            Type elements = pt.getActualTypeArguments()[0];
            for (int i = 0; i < node.size(); i++) {
                unknownFields(node.get(i), elements, path + "[" + i + "]", out);
            }
        }
    }

    private static String path(JsonMappingException e) {
        StringBuilder sb = new StringBuilder("$");
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                sb.append('.').append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    private static String names(Collection<Object> ids) {
        TreeSet<String> sorted = new TreeSet<>();
        if (ids != null) {
            ids.forEach(id -> sorted.add(String.valueOf(id)));
        }
        return sorted.toString();
    }
}
