package io.outrigger.governance.internal;

import io.outrigger.core.Status;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The rules of one service in the form the data plane reads: a validated {@link RuleDocument} plus
 * what is derived from it once (parsed version patterns, status code sets). Immutable; replaced
 * whole when a new document arrives, so a call reads one consistent set with one volatile read.
 */
public final class ServiceRules {

    /** No rules: every component uses what was configured in code. */
    public static final ServiceRules NONE = new ServiceRules(
            new RuleDocument(null, null, null, null, null, null, null, null, null, null, null), "{}", List.of());

    private final RuleDocument document;
    private final String json;
    private final List<VersionPattern> versions;
    private final List<Split> splits;
    private final Set<Status.Code> retryOn;
    private final Set<Status.Code> retryIdempotentOn;
    private final boolean degradeAll;
    private final List<String> ignoredFields;

    /** A split with its selector parsed. */
    public record Split(VersionPattern version, String tag, double percent) {
        /** Whether {@code instance} is selected by this split. */
        public boolean selects(io.outrigger.core.registry.ServiceInstance instance) {
            return version != null ? version.matches(instance.version()) : instance.hasTag(tag);
        }

        @Override
        public String toString() {
            return (version != null ? "version=" + version : "tag=" + tag) + " " + percent + "%";
        }
    }

    ServiceRules(RuleDocument document, String json, List<String> ignoredFields) {
        this.document = document;
        this.json = json;
        this.ignoredFields = List.copyOf(ignoredFields);
        this.versions = VersionPattern.parseAll(document.routing().versions());
        this.splits = document.routing().splits().stream()
                .map(s ->
                        new Split(s.version() == null ? null : VersionPattern.parse(s.version()), s.tag(), s.percent()))
                .toList();
        RuleDocument.Retry retry = document.retry();
        this.retryOn = retry == null || retry.retryOn() == null ? null : RuleDocument.codes("retryOn", retry.retryOn());
        this.retryIdempotentOn = retry == null || retry.retryIdempotentOn() == null
                ? null
                : RuleDocument.codes("retryIdempotentOn", retry.retryIdempotentOn());
        this.degradeAll = document.degrade().contains("*");
    }

    /** Fields of the document this reader does not know and ignored ({@code retry.newField}). */
    public List<String> ignoredFields() {
        return ignoredFields;
    }

    /** Whether the routing rule's versions and group hold whatever a caller asks per call. */
    public boolean routingEnforced() {
        return document.routing().isEnforced();
    }

    /** The document these rules came from. */
    public RuleDocument document() {
        return document;
    }

    /** The JSON text these rules came from. */
    public String json() {
        return json;
    }

    /** The weight override of instance {@code id}, or {@code -1}. */
    public int weight(String id) {
        Map<String, Integer> w = document.weights();
        if (w.isEmpty()) {
            return -1;
        }
        Integer v = w.get(id);
        return v == null ? -1 : v;
    }

    /** Version patterns a provider must match; empty: no restriction from rules. */
    public List<VersionPattern> versions() {
        return versions;
    }

    /** The group a provider must be in, or {@code null}. */
    public String group() {
        return document.routing().group();
    }

    /** Weighted splits, possibly empty. */
    public List<Split> splits() {
        return splits;
    }

    /** The header keying splits, or {@code null}. */
    public String splitKeyHeader() {
        return document.routing().splitKeyHeader();
    }

    /** The timeout of {@code method} in milliseconds, or {@code -1}. */
    public long timeoutMillis(String method) {
        Map<String, Long> t = document.timeouts();
        if (t.isEmpty()) {
            return -1;
        }
        Long ms = t.get(method);
        if (ms == null) {
            ms = t.get("*");
        }
        return ms == null ? -1 : ms;
    }

    /** The retry section, or {@code null}. */
    public RuleDocument.Retry retry() {
        return document.retry();
    }

    /** Codes retried for every method, or {@code null} when the rules do not say. */
    public Set<Status.Code> retryOn() {
        return retryOn;
    }

    /** Codes retried for idempotent methods, or {@code null} when the rules do not say. */
    public Set<Status.Code> retryIdempotentOn() {
        return retryIdempotentOn;
    }

    /** Whether calls of {@code method} are answered by the fallback without calling a provider. */
    public boolean degraded(String method) {
        return degradeAll
                || (!document.degrade().isEmpty() && document.degrade().contains(method));
    }

    @Override
    public String toString() {
        return json;
    }
}
