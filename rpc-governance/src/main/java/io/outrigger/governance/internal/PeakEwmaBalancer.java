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
 * + 1) / weight}; equal costs are broken at random.
 *
 * <p>The latency estimate of an endpoint jumps up at once to any slower observation (the
 * <em>peak</em>) and decays towards faster ones with time constant {@code decay} (10 s by default),
 * so an endpoint that turns slow loses traffic within a few calls and wins it back gradually. As in
 * Finagle, the estimate also decays towards zero with the time since its last update, so a once-slow
 * endpoint is probed again. Failures that say the provider is unwell ({@code UNAVAILABLE}, {@code
 * DEADLINE_EXCEEDED}, {@code RESOURCE_EXHAUSTED}, {@code INTERNAL}, {@code DATA_LOSS}) count as at
 * least twice the current estimate (and at least {@link #FAILURE_FLOOR_NANOS}), so a provider
 * failing fast does not look fast.
 *
 * <p>An endpoint without an estimate costs nothing while idle (so it is tried at once) and a large
 * penalty while its calls are in flight (Finagle's rule). Two rules keep a caller with one call in
 * flight at a time from sending everything to one of two equal endpoints, which a 10 s decay alone
 * does for tens of seconds after a single slow answer:
 *
 * <ul>
 *   <li>the first answer of an endpoint is not recorded unless it is a failure: it includes
 *       connecting and, in a new process, loading and compiling code, so it says little about the
 *       endpoint;
 *   <li>while an endpoint gets no answers its estimate also falls linearly, by at least 1 ms every
 *       {@value #FADE} ms, so an endpoint that lost traffic to one slow answer (a pause, a spike)
 *       is probed again after about {@value #FADE} times that answer's latency; the busy
 *       endpoint's own peaks fade the same way between its answers, so recent peaks are compared,
 *       not one old peak. Probing a slow endpoint costs a caller with one call in flight about
 *       1/{@value #FADE} of its time (one call every {@value #FADE} times its latency), and a busy
 *       caller as many calls per interval, whatever its rate.
 * </ul>
 *
 * <p>The weights and states of a candidate list are looked up once per list ({@link
 * CandidateSnapshot}). Thread-safe; a pick is lock-free and allocation-free.
 */
public final class PeakEwmaBalancer implements LoadBalancer {

    /** The least a failure counts as: 30 ms (Linkerd's default RTT). */
    public static final long FAILURE_FLOOR_NANOS = 30_000_000L;

    /** The cost of an endpoint with no estimate and calls in flight: its first answer is awaited. */
    static final double PENALTY = 1e15;

    /** The decay time constant: 10 s. */
    public static final long DEFAULT_DECAY_NANOS = 10_000_000_000L;

    /** Without answers, an estimate falls by at least 1 ns every {@code FADE} ns. */
    static final int FADE = 4;

    private final CandidateSnapshots<Ewma> snapshots;
    private final Supplier<RandomGenerator> random;
    private final Ticker ticker;
    private final double decayNanos;

    /** A balancer with the default decay. */
    public PeakEwmaBalancer(Weigher weigher, Supplier<RandomGenerator> random, Ticker ticker) {
        this(weigher, random, ticker, DEFAULT_DECAY_NANOS);
    }

    PeakEwmaBalancer(Weigher weigher, Supplier<RandomGenerator> random, Ticker ticker, long decayNanos) {
        this.snapshots = new CandidateSnapshots<>(weigher, Ewma::new);
        this.random = random;
        this.ticker = ticker;
        this.decayNanos = decayNanos;
    }

    @Override
    public Endpoint pick(List<Endpoint> candidates, RpcRequest request) {
        int n = candidates.size();
        if (n == 1) {
            return candidates.get(0);
        }
        CandidateSnapshot<Ewma> s = snapshots.of(candidates);
        RandomGenerator rnd = random.get();
        int i = rnd.nextInt(n);
        int j = rnd.nextInt(n - 1);
        if (j >= i) {
            j++;
        }
        long now = ticker.nanoTime();
        double ci = cost(s, i, now);
        double cj = cost(s, j, now);
        if (ci == cj) {
            return s.endpoint(rnd.nextBoolean() ? i : j);
        }
        return s.endpoint(ci < cj ? i : j);
    }

    private double cost(CandidateSnapshot<Ewma> s, int i, long now) {
        double w = s.weight(i);
        if (w <= 0) {
            return Double.MAX_VALUE;
        }
        int inFlight = s.endpoint(i).inFlight();
        double estimate = s.state(i).estimate(now, decayNanos);
        if (estimate < 0) {
            return inFlight == 0 ? 0 : PENALTY + inFlight;
        }
        // Floor at 1 ns: an estimate decayed to nothing still weighs its calls in flight.
        return Math.max(estimate, 1.0) * (inFlight + 1) / w;
    }

    @Override
    public void onResult(Endpoint endpoint, RpcResponse response, long latencyNanos) {
        snapshots
                .state(endpoint)
                .observe(
                        ticker.nanoTime(),
                        Math.max(latencyNanos, 0),
                        isUnwell(response.status().code()),
                        decayNanos);
    }

    /** The current latency estimate of {@code endpoint} in nanoseconds, 0 if none (for tests and metrics). */
    double estimateNanos(Endpoint endpoint) {
        Ewma e = snapshots.peek(endpoint);
        return e == null ? 0 : Math.max(e.estimate(ticker.nanoTime(), decayNanos), 0);
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
        /** What {@link #estimate} returns when nothing was recorded yet. */
        static final double NONE = -1;

        // Written under the lock, read without it: a pick may see a stamp and value from two
        // different updates, which only makes one estimate slightly off for one pick.
        private volatile long stamp;
        private volatile double value;
        private volatile boolean measured;
        private boolean answered; // guarded by this

        /**
         * The estimate at {@code now}: the stored value decayed for the time since the last update,
         * or {@link #NONE} if nothing was recorded yet.
         */
        double estimate(long now, double decayNanos) {
            if (!measured) {
                return NONE;
            }
            double v = value;
            return v * retained(v, Math.max(now - stamp, 0), decayNanos);
        }

        synchronized void observe(long now, double rtt, boolean unwell, double decayNanos) {
            boolean first = !answered;
            answered = true;
            if (first && !unwell) {
                return; // connection set-up and cold code: not the endpoint's latency
            }
            double current = estimate(now, decayNanos);
            if (unwell) {
                rtt = Math.max(rtt, Math.max(2 * current, FAILURE_FLOOR_NANOS));
            }
            if (current < 0 || rtt > current) {
                value = rtt; // nothing to average with, or a peak: believed at once
            } else {
                // Finagle's update: the stored value decayed for the time since the last update
                // (that is current), plus the weight that time gives the new observation.
                value = current + rtt * -Math.expm1(-Math.max(now - stamp, 0) / decayNanos);
            }
            stamp = Math.max(now, stamp);
            measured = true;
        }

        /**
         * The share of an estimate {@code v} left after {@code dt} ns without an answer: it decays
         * with time constant {@code decay} (Finagle), and falls by at least 1 ns every {@value
         * PeakEwmaBalancer#FADE} ns.
         */
        private static double retained(double v, long dt, double decayNanos) {
            if (dt == 0 || v <= 0) {
                return 1;
            }
            return Math.max(0, Math.min(Math.exp(-dt / decayNanos), 1 - dt / (FADE * v)));
        }
    }
}
