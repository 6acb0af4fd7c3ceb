package io.outrigger.governance.internal;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.LoadBalancer;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Power of two choices over peak-EWMA latency (Finagle's and Linkerd's default): pick two distinct
 * candidates at random and send the call to the one with the lower cost {@code latency × (inFlight
 * + 1) / weight}.
 *
 * <p>The latency estimate of an endpoint jumps up at once to any slower observation (the
 * <em>peak</em>) and decays towards faster ones with time constant {@code decay} (10 s by default),
 * so an endpoint that turns slow loses traffic within a few calls and wins it back gradually. The
 * estimate also decays towards zero while the endpoint gets no calls, so a once-slow endpoint is
 * probed again. Failures that say the provider is unwell ({@code UNAVAILABLE}, {@code
 * DEADLINE_EXCEEDED}, {@code RESOURCE_EXHAUSTED}, {@code INTERNAL}, {@code DATA_LOSS}) count as at
 * least twice the current estimate (and at least {@link #FAILURE_FLOOR_NANOS}), so a provider
 * failing fast does not look fast. As in Finagle, an endpoint with no estimate yet costs nothing while
 * idle (so it is tried at once) and a large penalty while its first calls are in flight.
 *
 * <p>Thread-safe; a pick is lock-free and allocation-free.
 */
public final class PeakEwmaBalancer implements LoadBalancer {

    /** The least a failure counts as: 30 ms (Linkerd's default RTT). */
    public static final long FAILURE_FLOOR_NANOS = 30_000_000L;

    /** The cost of an endpoint with no estimate and calls in flight: its first answer is awaited. */
    static final double PENALTY = 1e15;

    /** The decay time constant: 10 s. */
    public static final long DEFAULT_DECAY_NANOS = 10_000_000_000L;

    private final Weigher weigher;
    private final Supplier<RandomGenerator> random;
    private final Ticker ticker;
    private final double decayNanos;
    private final EndpointStates<Ewma> states;

    /** A balancer with the default decay. */
    public PeakEwmaBalancer(Weigher weigher, Supplier<RandomGenerator> random, Ticker ticker) {
        this(weigher, random, ticker, DEFAULT_DECAY_NANOS);
    }

    PeakEwmaBalancer(Weigher weigher, Supplier<RandomGenerator> random, Ticker ticker, long decayNanos) {
        this.weigher = weigher;
        this.random = random;
        this.ticker = ticker;
        this.decayNanos = decayNanos;
        this.states = new EndpointStates<>(() -> new Ewma(ticker.nanoTime(), 0));
    }

    @Override
    public Endpoint pick(List<Endpoint> candidates, RpcRequest request) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        RandomGenerator rnd = random.get();
        int i = rnd.nextInt(n);
        int j = rnd.nextInt(n - 1);
        if (j >= i) {
            j++;
        }
        ServiceRules rules = weigher.rules();
        long now = ticker.nanoTime();
        Endpoint a = candidates.get(i);
        Endpoint b = candidates.get(j);
        double ca = cost(a, rules, now);
        double cb = cost(b, rules, now);
        if (ca == cb) {
            return rnd.nextBoolean() ? a : b;
        }
        return ca < cb ? a : b;
    }

    private double cost(Endpoint e, ServiceRules rules, long now) {
        double w = weigher.weight(e, rules);
        if (w <= 0) {
            return Double.MAX_VALUE;
        }
        Ewma ewma = states.get(e);
        int inFlight = e.inFlight();
        if (!ewma.measured()) {
            return inFlight == 0 ? 0 : PENALTY + inFlight;
        }
        // Floor at 1 ns: an estimate decayed to nothing still weighs its calls in flight.
        double latency = Math.max(ewma.get(now, decayNanos), 1.0);
        return latency * (inFlight + 1) / w;
    }

    @Override
    public void onResult(Endpoint endpoint, RpcResponse response, long latencyNanos) {
        Ewma ewma = states.get(endpoint);
        long now = ticker.nanoTime();
        double observed = Math.max(latencyNanos, 0);
        if (isUnwell(response.status().code())) {
            observed = Math.max(observed, Math.max(2 * ewma.get(now, decayNanos), FAILURE_FLOOR_NANOS));
        }
        ewma.observe(now, observed, decayNanos);
    }

    /** The current latency estimate of {@code endpoint} in nanoseconds (for tests and metrics). */
    double estimateNanos(Endpoint endpoint) {
        Ewma e = states.peek(endpoint);
        return e == null ? 0 : e.get(ticker.nanoTime(), decayNanos);
    }

    static boolean isUnwell(Status.Code code) {
        return switch (code) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL, DATA_LOSS -> true;
            default -> false;
        };
    }

    @Override
    public String toString() {
        return "p2c-peak-ewma";
    }

    /** A peak-sensitive exponentially weighted moving average over time. */
    static final class Ewma {
        // Written under the lock, read without it: a pick may see a stamp and value from two
        // different updates, which only makes one estimate slightly off for one pick.
        private volatile long stamp;
        private volatile double value;
        private volatile boolean measured;

        Ewma(long now, double initial) {
            this.stamp = now;
            this.value = initial;
        }

        /** Whether at least one result was observed. */
        boolean measured() {
            return measured;
        }

        /** The estimate at {@code now}: the stored value decayed for the time since the last update. */
        double get(long now, double decayNanos) {
            double v = value;
            long dt = Math.max(now - stamp, 0);
            return dt == 0 ? v : v * Math.exp(-dt / decayNanos);
        }

        synchronized void observe(long now, double rtt, double decayNanos) {
            long dt = Math.max(now - stamp, 0);
            double w = Math.exp(-dt / decayNanos);
            double current = value * w; // what a pick would read now
            stamp = Math.max(now, stamp);
            if (!measured || rtt > current) {
                value = rtt; // the peak: slowness is believed at once
            } else {
                value = current * w + rtt * (1 - w);
            }
            measured = true;
        }
    }
}
