package io.outrigger.governance.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.outrigger.core.Metadata;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.LoadBalancer;
import io.outrigger.core.registry.ServiceInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BalancerTest {

    private static final RpcRequest REQUEST = RpcRequest.of("demo.UserService", "getUser", Payload.EMPTY);

    private final SplittableRandom rng = new SplittableRandom(42);
    private final ManualClock clock = new ManualClock();
    private final Ticker ticker = Ticker.of(clock);
    private final InMemoryRuleSource source = new InMemoryRuleSource();
    private final RuleStore store = new RuleStore(source);

    private Weigher weigher(long warmUpNanos) {
        return new Weigher(store.holder("demo.UserService"), warmUpNanos);
    }

    private static FakeEndpoint weighted(int port, int weight) {
        return FakeEndpoint.of(
                ServiceInstance.builder("demo.UserService", "127.0.0.1", port).weight(weight));
    }

    private static Map<Endpoint, Integer> count(LoadBalancer lb, List<Endpoint> candidates, int picks) {
        Map<Endpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(lb.pick(candidates, REQUEST), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void weightedRandomFollowsWeights() {
        List<Endpoint> eps = List.of(weighted(1, 100), weighted(2, 200), weighted(3, 700));
        Map<Endpoint, Integer> c = count(new WeightedRandomBalancer(weigher(0), () -> rng), eps, 100_000);
        // Binomial standard deviation at n=100k, p=0.1 is ~95 picks: 1% is more than 10 sigma.
        assertThat(c.get(eps.get(0)) / 100_000.0).isCloseTo(0.10, within(0.01));
        assertThat(c.get(eps.get(1)) / 100_000.0).isCloseTo(0.20, within(0.01));
        assertThat(c.get(eps.get(2)) / 100_000.0).isCloseTo(0.70, within(0.01));
    }

    @Test
    void weightedRandomWithAllWeightsZeroIsUniformAndZeroWeightGetsNothing() {
        List<Endpoint> zero = List.of(weighted(1, 0), weighted(2, 0));
        Map<Endpoint, Integer> c = count(new WeightedRandomBalancer(weigher(0), () -> rng), zero, 10_000);
        assertThat(c.get(zero.get(0)) / 10_000.0).isCloseTo(0.5, within(0.03));

        List<Endpoint> mixed = List.of(weighted(1, 0), weighted(2, 100));
        Map<Endpoint, Integer> m = count(new WeightedRandomBalancer(weigher(0), () -> rng), mixed, 10_000);
        assertThat(m.get(mixed.get(0))).isNull();
    }

    @Test
    void ruleWeightsOverrideAnnouncedWeights() {
        List<Endpoint> eps = List.of(weighted(1, 100), weighted(2, 100));
        source.set("demo.UserService", "{\"weights\": {\"127.0.0.1:1\": 300}}");
        Map<Endpoint, Integer> c = count(new WeightedRandomBalancer(weigher(0), () -> rng), eps, 40_000);
        assertThat(c.get(eps.get(0)) / 40_000.0).isCloseTo(0.75, within(0.015));
    }

    @Test
    void smoothWeightedRoundRobinInterleavesExactly() {
        FakeEndpoint a = weighted(1, 5);
        FakeEndpoint b = weighted(2, 1);
        FakeEndpoint c = weighted(3, 1);
        List<Endpoint> eps = List.of(a, b, c);
        LoadBalancer lb = new SmoothWeightedRoundRobinBalancer(weigher(0));
        List<Endpoint> seq = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            seq.add(lb.pick(eps, REQUEST));
        }
        assertThat(seq).containsExactly(a, a, b, a, c, a, a);
        Map<Endpoint, Integer> counts = count(lb, eps, 7_000);
        assertThat(counts).containsEntry(a, 5_000).containsEntry(b, 1_000).containsEntry(c, 1_000);
    }

    @Test
    void leastOutstandingPicksTheIdlestRelativeToWeight() {
        FakeEndpoint busy = weighted(1, 100).inFlight(5);
        FakeEndpoint idle = weighted(2, 100).inFlight(0);
        FakeEndpoint heavy = weighted(3, 1000).inFlight(3); // (3+1)/1000 beats (0+1)/100
        LoadBalancer lb = new LeastOutstandingBalancer(weigher(0), () -> rng);
        assertThat(lb.pick(List.of(busy, idle), REQUEST)).isSameAs(idle);
        assertThat(lb.pick(List.of(busy, idle, heavy), REQUEST)).isSameAs(heavy);
        // Ties are broken at random, not always to the first candidate.
        List<Endpoint> tied = List.of(weighted(4, 100), weighted(5, 100), weighted(6, 100));
        Map<Endpoint, Integer> c = count(lb, tied, 9_000);
        assertThat(c.values()).allSatisfy(n -> assertThat(n).isBetween(2_700, 3_300));
    }

    @Test
    void peakEwmaSpreadsEvenlyThenMovesTrafficAwayFromASlowEndpoint() {
        List<Endpoint> eps = List.of(weighted(1, 100), weighted(2, 100), weighted(3, 100));
        Endpoint slow = eps.get(2);
        PeakEwmaBalancer lb = new PeakEwmaBalancer(weigher(0), () -> rng, ticker);
        Map<Endpoint, Integer> before = new HashMap<>();
        Map<Endpoint, Integer> after = new HashMap<>();
        double slowEstimate = 0;
        for (int i = 0; i < 6_000; i++) {
            clock.advance(Duration.ofMillis(1));
            Endpoint e = lb.pick(eps, REQUEST);
            boolean slowPhase = i >= 3_000;
            long latency = e == slow && slowPhase ? 200_000_000L : 5_000_000L;
            lb.onResult(e, RpcResponse.ok(Payload.EMPTY), latency);
            if (e == slow && slowPhase) {
                slowEstimate = lb.estimateNanos(slow);
            }
            if (i >= 1_000 && i < 3_000) {
                before.merge(e, 1, Integer::sum);
            } else if (i >= 4_000) {
                after.merge(e, 1, Integer::sum);
            }
        }
        assertThat(before.get(slow) / 2_000.0).isCloseTo(1 / 3.0, within(0.05));
        // The slow endpoint is only probed now and then: each probe puts its estimate back up at once.
        assertThat(after.getOrDefault(slow, 0) / 2_000.0).isLessThan(0.02);
        assertThat(slowEstimate).isEqualTo(200_000_000.0);

        // A minute later its estimate has decayed below what the busy endpoints measure: it is probed.
        clock.advance(Duration.ofSeconds(60));
        int probes = 0;
        for (int i = 0; i < 300; i++) {
            clock.advance(Duration.ofMillis(1));
            Endpoint e = lb.pick(eps, REQUEST);
            lb.onResult(e, RpcResponse.ok(Payload.EMPTY), e == slow ? 200_000_000L : 5_000_000L);
            probes += e == slow ? 1 : 0;
        }
        assertThat(probes).isBetween(1, 30);
    }

    @Test
    void peakEwmaDoesNotMistakeFastFailuresForSpeed() {
        List<Endpoint> eps = List.of(weighted(1, 100), weighted(2, 100));
        Endpoint failing = eps.get(1);
        PeakEwmaBalancer lb = new PeakEwmaBalancer(weigher(0), () -> rng, ticker);
        int toFailing = 0;
        for (int i = 0; i < 2_000; i++) {
            clock.advance(Duration.ofMillis(1));
            Endpoint e = lb.pick(eps, REQUEST);
            RpcResponse r = e == failing ? RpcResponse.failure(Status.UNAVAILABLE) : RpcResponse.ok(Payload.EMPTY);
            lb.onResult(e, r, e == failing ? 100_000L : 5_000_000L);
            if (i >= 1_000 && e == failing) {
                toFailing++;
            }
        }
        assertThat(toFailing).isLessThan(20);
    }

    @Test
    void peakEwmaWeighsInFlightCalls() {
        FakeEndpoint a = weighted(1, 100).inFlight(10);
        FakeEndpoint b = weighted(2, 100).inFlight(0);
        LoadBalancer lb = new PeakEwmaBalancer(weigher(0), () -> rng, ticker);
        assertThat(count(lb, List.of(a, b), 100)).containsEntry(b, 100);
    }

    @Test
    void consistentHashKeepsKeysStableWhenAnotherNodeLeaves() {
        List<Endpoint> five = new ArrayList<>();
        for (int port = 1; port <= 5; port++) {
            five.add(weighted(port, 100));
        }
        LoadBalancer lb = new ConsistentHashBalancer("user-id", 160, weigher(0), () -> rng);
        Map<String, Endpoint> owner = new HashMap<>();
        Map<Endpoint, Integer> spread = new HashMap<>();
        for (int k = 0; k < 10_000; k++) {
            String key = "user-" + k;
            Endpoint e = lb.pick(five, keyed(key));
            owner.put(key, e);
            spread.merge(e, 1, Integer::sum);
            assertThat(lb.pick(five, keyed(key))).isSameAs(e);
        }
        // 160 virtual nodes keep each endpoint within 25% of the mean share.
        assertThat(spread.values()).allSatisfy(n -> assertThat(n).isBetween(1_500, 2_500));

        Endpoint leaving = five.get(2);
        List<Endpoint> four = new ArrayList<>(five);
        four.remove(leaving);
        int moved = 0;
        for (Map.Entry<String, Endpoint> e : owner.entrySet()) {
            Endpoint now = lb.pick(four, keyed(e.getKey()));
            if (e.getValue() == leaving) {
                assertThat(now).isNotSameAs(leaving);
                moved++;
            } else {
                assertThat(now).as(e.getKey()).isSameAs(e.getValue());
            }
        }
        assertThat(moved).isEqualTo(spread.get(leaving));

        // A call without the key header is still balanced.
        assertThat(lb.pick(four, REQUEST)).isIn(four);
    }

    @Test
    void warmUpRampsLinearlyFromWhenThisCallerFirstSawTheEndpoint() {
        long warmUp = Duration.ofSeconds(100).toNanos();
        Weigher w = weigher(warmUp);
        ServiceRules none = ServiceRules.NONE;
        assertThat(w.weight(weighted(1, 100).age(0), none)).isEqualTo(1.0); // 1% floor
        assertThat(w.weight(weighted(1, 100).age(warmUp / 4), none)).isCloseTo(25.0, within(1e-9));
        assertThat(w.weight(weighted(1, 200).age(warmUp / 2), none)).isCloseTo(100.0, within(1e-9));
        assertThat(w.weight(weighted(1, 100).age(warmUp), none)).isEqualTo(100.0);
        assertThat(w.weight(weighted(1, 0).age(warmUp / 2), none)).isZero();

        // A newcomer at 10% of its ramp gets about 10 / 210 of the calls.
        List<Endpoint> eps =
                List.of(weighted(1, 100), weighted(2, 100), weighted(3, 100).age(warmUp / 10));
        Map<Endpoint, Integer> c = count(new WeightedRandomBalancer(w, () -> rng), eps, 42_000);
        assertThat(c.get(eps.get(2)) / 42_000.0).isCloseTo(10 / 210.0, within(0.005));
    }

    @Test
    void endpointStatesForgetEndpointsNotUsedForAWholeCycle() {
        EndpointStates<double[]> states = new EndpointStates<>(() -> new double[1]);
        FakeEndpoint a = weighted(1, 100);
        FakeEndpoint b = weighted(2, 100);
        states.get(a);
        states.get(b);
        states.sweep(); // both used since creation: kept, marks cleared
        states.get(a);
        states.sweep(); // b unused for a cycle: dropped
        assertThat(states.size()).isEqualTo(1);
        assertThat(states.peek(a)).isNotNull();
    }

    private static RpcRequest keyed(String key) {
        return REQUEST.withMetadata(Metadata.of("user-id", key));
    }
}
