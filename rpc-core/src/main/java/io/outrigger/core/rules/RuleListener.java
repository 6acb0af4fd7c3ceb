package io.outrigger.core.rules;

/**
 * Receives the governance rule document of a watched service whenever it changes.
 *
 * <p>Called from the rule source's own threads, one call at a time per watch; must not block.
 */
@FunctionalInterface
public interface RuleListener {

    /**
     * The current rule document of {@code service}: a JSON text, or {@code null} when the service has
     * no rules (never set, or deleted). The listener validates it; an invalid document must leave
     * the previous rules in force.
     */
    void onRules(String service, String json);
}
