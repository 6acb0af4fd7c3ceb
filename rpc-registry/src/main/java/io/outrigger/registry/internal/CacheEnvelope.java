package io.outrigger.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The JSON object every registry cache file is: {@code {"format": N, "service": "...", "writtenAt":
 * "<ISO-8601>", ...content}}. The node cache adds {@code instances}, the rule cache {@code document}.
 * Reading checks the envelope (size, JSON, format, service, time) so that each cache only checks its
 * own content.
 *
 * @param root the whole object, for the cache's own fields
 * @param writtenAt when the file was written, or {@code null} when it does not say
 */
record CacheEnvelope(JsonNode root, Instant writtenAt) {

    /** A new envelope of {@code service}'s content in {@code format}, written at {@code writtenAt}. */
    static ObjectNode create(int format, String service, Instant writtenAt) {
        ObjectNode root = InstanceJson.MAPPER.createObjectNode();
        root.put("format", format);
        root.put("service", service);
        root.put("writtenAt", writtenAt.toString());
        return root;
    }

    /**
     * Reads {@code file} as a cache file of {@code service} in {@code format}.
     *
     * @return the envelope, or {@code null} when there is no file
     * @throws IllegalArgumentException saying why the file is not one (too large, unreadable, not
     *     JSON, another format or service, a bad time)
     */
    static CacheEnvelope read(Path file, String service, int format, long maxBytes) {
        byte[] bytes;
        try {
            if (Files.size(file) > maxBytes) {
                throw new IllegalArgumentException("larger than " + maxBytes + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read: " + e);
        }
        JsonNode root;
        try {
            root = InstanceJson.MAPPER.readTree(bytes);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON (partial or damaged write?): "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object, found: " + InstanceJson.preview(bytes));
        }
        JsonNode fileFormat = root.get("format");
        if (fileFormat == null || fileFormat.asInt(-1) != format) {
            throw new IllegalArgumentException("format is " + fileFormat + " (expected: " + format + ")");
        }
        JsonNode fileService = root.get("service");
        if (fileService == null || !service.equals(fileService.asText())) {
            throw new IllegalArgumentException("service is " + fileService + " (expected: \"" + service + "\")");
        }
        Instant writtenAt = null;
        JsonNode at = root.get("writtenAt");
        if (at != null) {
            try {
                writtenAt = Instant.parse(at.asText());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("writtenAt is not an ISO-8601 instant: " + at);
            }
        }
        return new CacheEnvelope(root, writtenAt);
    }
}
