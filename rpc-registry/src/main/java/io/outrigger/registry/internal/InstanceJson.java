package io.outrigger.registry.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.outrigger.core.registry.ServiceInstance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The JSON form of a {@link ServiceInstance}: the data of an instance node, and the elements of a
 * file-cache snapshot. Stable field names (documented in docs/registry.md); unknown fields are
 * ignored and missing optional fields take the {@link ServiceInstance.Builder} defaults, so that
 * older and newer versions read each other's nodes. Thread-safe.
 */
public final class InstanceJson {

    /** One shared, thread-safe mapper for the module. */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private InstanceJson() {}

    /** {@code instance} as a JSON object. */
    public static ObjectNode toTree(ServiceInstance instance) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("service", instance.service());
        node.put("host", instance.host());
        node.put("port", instance.port());
        node.put("weight", instance.weight());
        node.put("version", instance.version());
        node.put("group", instance.group());
        ArrayNode tags = node.putArray("tags");
        new TreeSet<>(instance.tags()).forEach(tags::add); // sorted: equal instances, equal bytes
        node.put("zone", instance.zone());
        ArrayNode serializers = node.putArray("serializers");
        instance.serializers().forEach(serializers::add);
        node.put("protocolVersion", instance.protocolVersion());
        ObjectNode metadata = node.putObject("metadata");
        new TreeMap<>(instance.metadata()).forEach(metadata::put);
        if (!instance.incarnation().isEmpty()) {
            // Only when known, so the nodes of providers without one stay byte for byte as before.
            node.put("incarnation", instance.incarnation());
        }
        return node;
    }

    /** {@code instance} as UTF-8 JSON bytes: the data of its provider node. */
    public static byte[] toBytes(ServiceInstance instance) {
        try {
            return MAPPER.writeValueAsBytes(toTree(instance));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + instance, e); // cannot happen for a tree
        }
    }

    /**
     * Reads the data of a provider node.
     *
     * @throws IllegalArgumentException naming what is wrong, when the bytes are not an instance of
     *     {@code expectedService}
     */
    public static ServiceInstance fromBytes(byte[] data, String expectedService) {
        if (data == null || data.length == 0) {
            throw new IllegalArgumentException("no data");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(data);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "not JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        return fromTree(node, expectedService);
    }

    /** Reads one instance object; see {@link #fromBytes}. */
    public static ServiceInstance fromTree(JsonNode node, String expectedService) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        String service = text(node, "service", null);
        if (service == null) {
            throw new IllegalArgumentException("missing \"service\"");
        }
        if (expectedService != null && !expectedService.equals(service)) {
            throw new IllegalArgumentException(
                    "service is \"" + service + "\" (expected: \"" + expectedService + "\")");
        }
        String host = text(node, "host", null);
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("missing \"host\"");
        }
        JsonNode port = node.get("port");
        if (port == null || !port.canConvertToInt()) {
            throw new IllegalArgumentException("missing or invalid \"port\"");
        }
        ServiceInstance.Builder b = ServiceInstance.builder(service, host, port.intValue());
        JsonNode weight = node.get("weight");
        if (weight != null && weight.canConvertToInt()) {
            b.weight(weight.intValue());
        }
        b.version(text(node, "version", ""));
        b.group(text(node, "group", ""));
        b.zone(text(node, "zone", ""));
        b.incarnation(text(node, "incarnation", ""));
        JsonNode tags = node.get("tags");
        if (tags != null && tags.isArray()) {
            LinkedHashSet<String> set = new LinkedHashSet<>();
            tags.forEach(t -> set.add(t.asText()));
            b.tags(set);
        }
        JsonNode serializers = node.get("serializers");
        if (serializers != null && serializers.isArray()) {
            List<String> list = new ArrayList<>();
            serializers.forEach(s -> list.add(s.asText()));
            b.serializers(list);
        }
        JsonNode protocolVersion = node.get("protocolVersion");
        if (protocolVersion != null && protocolVersion.canConvertToInt()) {
            b.protocolVersion(protocolVersion.intValue());
        }
        JsonNode metadata = node.get("metadata");
        if (metadata != null && metadata.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = metadata.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                b.metadata(e.getKey(), e.getValue().asText());
            }
        }
        try {
            return b.build();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Decodes UTF-8 bytes for log messages, shortened. */
    public static String preview(byte[] data) {
        if (data == null) {
            return "null";
        }
        String s = new String(data, StandardCharsets.UTF_8);
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? fallback : v.asText();
    }
}
