package io.outrigger.governance;

/**
 * The load-balancing algorithms. Every one honours weights (the instance's, or the rules' {@code
 * "weights"} override) and the warm-up ramp, except where noted.
 */
public enum LoadBalancing {
    /**
     * The default: power of two choices over peak-EWMA latency. Picks two endpoints at random and
     * takes the one with the lower {@code latency × (inFlight + 1) / weight}; reacts within a few
     * calls to an endpoint turning slow.
     */
    PEAK_EWMA,
    /** Random, in proportion to weight. Stateless; good with many callers. */
    WEIGHTED_RANDOM,
    /** Nginx's smooth weighted round robin: exact proportions, evenly interleaved. */
    ROUND_ROBIN,
    /** The fewest calls in flight relative to weight. Good for calls of very different cost. */
    LEAST_OUTSTANDING,
    /**
     * A hash ring over a request header (see {@link ClientGovernance.Builder#hashHeader}): one key
     * always goes to one endpoint while it is there, and only the keys of an endpoint that leaves
     * move. Ignores weights; calls without the header are balanced by weighted random.
     */
    CONSISTENT_HASH
}
