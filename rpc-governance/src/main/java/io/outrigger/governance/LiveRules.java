package io.outrigger.governance;

import io.outrigger.core.rules.RuleSource;
import io.outrigger.governance.internal.RuleParser;
import io.outrigger.governance.internal.RuleStore;
import java.util.List;
import java.util.Objects;

/**
 * The governance rules of each service, kept current from a {@link RuleSource} (the format is in
 * {@code docs/rules.md}).
 *
 * <p>A service is watched from the first time a component needs its rules (a client creates a
 * service's load balancer when the service is referenced) or from {@link #watch}. Each new document
 * is validated strictly: a valid one replaces the service's rules at once (components read them with
 * one volatile read per call); an invalid one is rejected with a WARN log line naming the problem,
 * and the last good rules stay. A deleted document means "no rules": the values configured in code
 * apply again.
 *
 * <p>Share one instance between the client and server governance of a process. Thread-safe.
 *
 * <pre>{@code
 * LiveRules rules = LiveRules.from(zooKeeperRuleSource);
 * ClientGovernance client = ClientGovernance.builder().rules(rules).build();
 * }</pre>
 */
public final class LiveRules implements AutoCloseable {

    private static final LiveRules NONE = new LiveRules(new RuleStore(null));

    private final RuleStore store;

    private LiveRules(RuleStore store) {
        this.store = store;
    }

    /** Rules from {@code source}. Closing the returned object stops its watches, not the source. */
    public static LiveRules from(RuleSource source) {
        return new LiveRules(new RuleStore(Objects.requireNonNull(source, "source")));
    }

    /** No rules: every component uses what was configured in code. */
    public static LiveRules none() {
        return NONE;
    }

    /**
     * Checks a rule document without applying it (for tools that edit rules).
     *
     * @return the paths of the fields this version does not know and would ignore ({@code
     *     [weigths, retry.jitterMode]}), empty when it knows them all: a typo, or a document written
     *     for a newer Outrigger
     * @throws IllegalArgumentException with the path of the first problem and what was expected,
     *     e.g. {@code at $.retry: retry.maxAttempts: 0 (expected: 1..10)}
     */
    public static List<String> validate(String json) {
        return RuleParser.parse(Objects.requireNonNull(json, "json")).ignoredFields();
    }

    /** Starts watching the rules of {@code service} now rather than on first use. */
    public void watch(String service) {
        store.holder(Objects.requireNonNull(service, "service"));
    }

    /** The rule document in force for {@code service} ({@code "{}"} when it has none). */
    public String current(String service) {
        return store.current(service).json();
    }

    /** Why the latest document of {@code service} was rejected, or {@code null} if it was not. */
    public String lastRejection(String service) {
        return store.holder(service).lastRejection();
    }

    /** Stops every watch. The rule source itself stays open. */
    @Override
    public void close() {
        store.close();
    }

    RuleStore store() {
        return store;
    }

    @Override
    public String toString() {
        return this == NONE ? "LiveRules[none]" : "LiveRules";
    }
}
