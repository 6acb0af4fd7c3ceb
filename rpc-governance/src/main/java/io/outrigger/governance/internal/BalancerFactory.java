package io.outrigger.governance.internal;

import io.outrigger.core.cluster.LoadBalancer;
import io.outrigger.governance.LoadBalancing;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Creates the balancer of each service: the chosen algorithm over a {@link Weigher} reading that
 * service's rules. Creating a balancer starts watching the service's rules, which happens when the
 * client references the service, off the request path. Thread-safe.
 */
public final class BalancerFactory implements LoadBalancer.Factory {

    private final LoadBalancing algorithm;
    private final String hashHeader;
    private final long warmUpNanos;
    private final RuleStore store;
    private final Ticker ticker;
    private final Supplier<RandomGenerator> random;

    /** A factory of {@code algorithm} balancers. */
    public BalancerFactory(
            LoadBalancing algorithm,
            String hashHeader,
            long warmUpNanos,
            RuleStore store,
            Ticker ticker,
            Supplier<RandomGenerator> random) {
        this.algorithm = algorithm;
        this.hashHeader = hashHeader;
        this.warmUpNanos = warmUpNanos;
        this.store = store;
        this.ticker = ticker;
        this.random = random;
    }

    @Override
    public LoadBalancer create(String service) {
        Weigher weigher = new Weigher(store.holder(service), warmUpNanos);
        return switch (algorithm) {
            case PEAK_EWMA -> new PeakEwmaBalancer(weigher, random, ticker);
            case WEIGHTED_RANDOM -> new WeightedRandomBalancer(weigher, random);
            case ROUND_ROBIN -> new SmoothWeightedRoundRobinBalancer(weigher);
            case LEAST_OUTSTANDING -> new LeastOutstandingBalancer(weigher, random);
            case CONSISTENT_HASH ->
                new ConsistentHashBalancer(hashHeader, ConsistentHashBalancer.DEFAULT_REPLICAS, weigher, random);
        };
    }

    @Override
    public String toString() {
        return algorithm.name().toLowerCase(java.util.Locale.ROOT)
                + (algorithm == LoadBalancing.CONSISTENT_HASH ? "(" + hashHeader + ")" : "");
    }
}
