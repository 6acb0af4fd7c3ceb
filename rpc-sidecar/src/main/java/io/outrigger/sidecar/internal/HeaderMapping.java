package io.outrigger.sidecar.internal;

import io.outrigger.core.Metadata;
import io.outrigger.governance.ClientGovernance;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP headers to request metadata and back, both ways the same:
 *
 * <pre>
 * X-Outrigger-Version    outrigger-version
 * X-Outrigger-Group      outrigger-group
 * X-Outrigger-Tag        outrigger-tag
 * X-Outrigger-Hash-Key   outrigger-hash-key
 * traceparent            traceparent
 * tracestate             tracestate
 * X-Outrigger-Meta-Foo   foo            (lowercased)
 * </pre>
 *
 * Other headers are not passed on. {@code X-Outrigger-Timeout-Ms} carries the deadline, not
 * metadata.
 *
 * <p>On outbound calls the version, group and tag headers also route: their metadata keys are the
 * ones the client's routers read ({@code ClientGovernance.VERSION_HEADER}, {@code GROUP_HEADER},
 * {@code TAG_HEADER}), so {@code X-Outrigger-Version: 2.*} sends that request to providers of a
 * 2.x version only, and fails it with 503 naming the versions present when there are none.
 */
public final class HeaderMapping {

    /** The header carrying the call's remaining time, in milliseconds. */
    public static final String TIMEOUT_HEADER = "X-Outrigger-Timeout-Ms";

    /** The header every sidecar response carries: the status code's name. */
    public static final String STATUS_HEADER = "X-Outrigger-Status";

    /** The prefix of headers carrying free-form metadata. */
    public static final String META_PREFIX = "X-Outrigger-Meta-";

    private static final Map<String, String> NAMED = Map.of(
            "x-outrigger-version",
            ClientGovernance.VERSION_HEADER,
            "x-outrigger-group",
            ClientGovernance.GROUP_HEADER,
            "x-outrigger-tag",
            ClientGovernance.TAG_HEADER,
            "x-outrigger-hash-key",
            "outrigger-hash-key",
            "traceparent",
            "traceparent",
            "tracestate",
            "tracestate");

    private static final Map<String, String> HEADER_OF = Map.of(
            ClientGovernance.VERSION_HEADER,
            "X-Outrigger-Version",
            ClientGovernance.GROUP_HEADER,
            "X-Outrigger-Group",
            ClientGovernance.TAG_HEADER,
            "X-Outrigger-Tag",
            "outrigger-hash-key",
            "X-Outrigger-Hash-Key",
            "traceparent",
            "traceparent",
            "tracestate",
            "tracestate");

    private HeaderMapping() {}

    /**
     * The metadata of the headers {@code headers} (name, value pairs).
     *
     * @throws IllegalArgumentException if an {@code X-Outrigger-Meta-} header names an invalid key
     */
    public static Metadata toMetadata(Iterable<Map.Entry<String, String>> headers) {
        Metadata md = Metadata.empty();
        for (Map.Entry<String, String> h : headers) {
            if (!mayMap(h.getKey())) {
                continue; // Host, Content-Type...: skipped without lower-casing a copy of the name
            }
            String name = h.getKey().toLowerCase(Locale.ROOT);
            String key = NAMED.get(name);
            if (key == null && name.startsWith("x-outrigger-meta-")) {
                key = name.substring("x-outrigger-meta-".length());
                try {
                    Metadata.checkKey(key);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("header " + h.getKey() + ": " + e.getMessage(), e);
                }
            }
            if (key != null) {
                md = md.with(key, h.getValue());
            }
        }
        return md;
    }

    /** Whether {@code header} may carry metadata: {@code X-Outrigger-*} or a W3C trace header. */
    private static boolean mayMap(String header) {
        return header.regionMatches(true, 0, "x-outrigger-", 0, "x-outrigger-".length())
                || header.equalsIgnoreCase("traceparent")
                || header.equalsIgnoreCase("tracestate");
    }

    /** The headers carrying {@code metadata}: the inverse of {@link #toMetadata}. */
    public static List<Map.Entry<String, String>> toHeaders(Metadata metadata) {
        if (metadata.isEmpty()) {
            return List.of();
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>(metadata.size());
        metadata.forEach((key, value) -> {
            String header = HEADER_OF.get(key);
            headers.add(Map.entry(header != null ? header : META_PREFIX + key, value));
        });
        return headers;
    }
}
