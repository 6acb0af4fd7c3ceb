package io.outrigger.core.rules;

import io.outrigger.core.Subscription;

/**
 * Where governance rules come from: per-service JSON documents (weights, routing, canary splits,
 * breaker thresholds, rate limits, timeouts, retry policy, degrade switch), delivered as they
 * change. The data plane reads its current rules with a volatile read; it never calls the rule
 * source on the request path.
 *
 * <p>The document format belongs to the consumer of the rules (rpc-governance, {@code docs/rules.md});
 * a rule source only stores and watches text. Thread-safe.
 */
public interface RuleSource extends AutoCloseable {

    /**
     * Watches the rules of {@code service}. {@code listener} receives the current document soon after
     * the call (possibly on the calling thread) and every change after that.
     */
    Subscription watch(String service, RuleListener listener);

    /** Stops every watch and releases resources. */
    @Override
    void close();
}
