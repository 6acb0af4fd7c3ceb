package io.outrigger.governance.internal;

import io.outrigger.core.cluster.Endpoint;

/**
 * The effective weight of an endpoint: the rule override for its instance id, else the weight the
 * instance announced, scaled down while the endpoint warms up.
 *
 * <p>Warm-up counts from {@link Endpoint#ageNanos()}, the time since <em>this caller</em> first saw
 * the instance, never from timestamps in the registry: a provider's clock or a re-registration can
 * not make it skip (or repeat) its ramp. During the ramp the weight grows linearly from 1% to 100%.
 * Thread-safe and allocation-free.
 */
public final class Weigher {

    /** The share of its weight an endpoint gets at age zero, so a new endpoint is still probed. */
    static final double MIN_WARM_FRACTION = 0.01;

    private final RuleStore.Holder rules;
    private final long warmUpNanos;

    /**
     * @param rules the rules of the service (weight overrides)
     * @param warmUpNanos the ramp length; 0: no warm-up
     */
    public Weigher(RuleStore.Holder rules, long warmUpNanos) {
        this.rules = rules;
        this.warmUpNanos = warmUpNanos;
    }

    /** The rules in force (read once per pick and passed to {@link #weight(Endpoint, ServiceRules)}). */
    public ServiceRules rules() {
        return rules.rules();
    }

    /** The effective weight of {@code endpoint} under {@code r}; 0 means it gets no traffic. */
    public double weight(Endpoint endpoint, ServiceRules r) {
        return warm(fullWeight(endpoint, r), endpoint.ageNanos());
    }

    /**
     * The weight of {@code endpoint} once warm: the rule override for its instance id, else the
     * announced weight. Depends only on the endpoint and the rules, so balancers compute it once per
     * candidate list ({@link CandidateSnapshot}); it builds the instance id, so not per pick.
     */
    int fullWeight(Endpoint endpoint, ServiceRules r) {
        int w = r.weight(endpoint.instance().id());
        return w < 0 ? endpoint.instance().weight() : w;
    }

    /** Whether an endpoint of age {@code ageNanos} is still ramping up. */
    boolean warming(long ageNanos) {
        return warmUpNanos > 0 && ageNanos < warmUpNanos;
    }

    /** {@code fullWeight} scaled down for an endpoint of age {@code ageNanos} still ramping up. */
    double warm(int fullWeight, long ageNanos) {
        if (fullWeight == 0 || !warming(ageNanos)) {
            return fullWeight;
        }
        return fullWeight * Math.max(MIN_WARM_FRACTION, (double) Math.max(ageNanos, 0) / warmUpNanos);
    }
}
