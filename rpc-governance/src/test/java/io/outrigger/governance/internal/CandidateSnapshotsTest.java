package io.outrigger.governance.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.registry.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which candidate lists keep their snapshot, and for how long. */
class CandidateSnapshotsTest {

    private final InMemoryRuleSource source = new InMemoryRuleSource();
    private final RuleStore store = new RuleStore(source);
    private final CandidateSnapshots<double[]> snapshots =
            new CandidateSnapshots<>(new Weigher(store.holder("demo.UserService"), 0), () -> new double[1]);
    private final List<Endpoint> endpoints = new ArrayList<>();

    CandidateSnapshotsTest() {
        for (int port = 1; port <= 10; port++) {
            endpoints.add(FakeEndpoint.of(ServiceInstance.builder("demo.UserService", "127.0.0.1", port)));
        }
    }

    @Test
    void alternatingSubsetsKeepTheirSnapshots() {
        List<Endpoint> canary = endpoints.subList(0, 2);
        List<Endpoint> stable = endpoints.subList(2, 10);
        CandidateSnapshot<double[]> ofCanary = snapshots.of(canary);
        CandidateSnapshot<double[]> ofStable = snapshots.of(stable);
        assertThat(ofStable).isNotSameAs(ofCanary);

        for (int call = 0; call < 100; call++) {
            // A router builds a new list per call: equal endpoints, by identity, find the same snapshot.
            List<Endpoint> candidates = new ArrayList<>(call % 10 == 0 ? canary : stable);
            assertThat(snapshots.of(candidates)).isSameAs(call % 10 == 0 ? ofCanary : ofStable);
        }
        assertThat(snapshots.held()).isEqualTo(2);
        // Both subsets' snapshots hand out the one state per endpoint.
        assertThat(snapshots.state(endpoints.get(0))).isSameAs(ofCanary.state(0));
        assertThat(snapshots.state(endpoints.get(9))).isSameAs(ofStable.state(7));
    }

    @Test
    void aListInUseSurvivesAStreamOfOthersAndTheCacheStaysBounded() {
        List<Endpoint> all = List.copyOf(endpoints);
        CandidateSnapshot<double[]> ofAll = snapshots.of(all);
        for (int i = 0; i < 10; i++) {
            List<Endpoint> other = List.of(endpoints.get(i));
            CandidateSnapshot<double[]> ofOther = snapshots.of(other);
            assertThat(snapshots.of(other)).isSameAs(ofOther);
            assertThat(snapshots.of(all)).isSameAs(ofAll);
            assertThat(snapshots.held()).isLessThanOrEqualTo(CandidateSnapshots.SLOTS);
        }
        // The first singletons were replaced by later ones.
        assertThat(snapshots.held()).isEqualTo(CandidateSnapshots.SLOTS);
        CandidateSnapshot<double[]> first = snapshots.of(List.of(endpoints.get(0)));
        assertThat(snapshots.of(List.of(endpoints.get(0)))).isSameAs(first);
    }

    @Test
    void aNewRuleRebuildsEverySubsetOnceAndWeightsFollowIt() {
        List<Endpoint> canary = endpoints.subList(0, 2);
        List<Endpoint> stable = endpoints.subList(2, 10);
        CandidateSnapshot<double[]> oldCanary = snapshots.of(canary);
        CandidateSnapshot<double[]> oldStable = snapshots.of(stable);

        source.set("demo.UserService", "{\"weights\": {\"127.0.0.1:1\": 300}}");

        CandidateSnapshot<double[]> newCanary = snapshots.of(canary);
        CandidateSnapshot<double[]> newStable = snapshots.of(stable);
        assertThat(newCanary).isNotSameAs(oldCanary);
        assertThat(newStable).isNotSameAs(oldStable);
        assertThat(newCanary.weight(0)).isEqualTo(300);
        assertThat(snapshots.of(canary)).isSameAs(newCanary);
        assertThat(snapshots.of(stable)).isSameAs(newStable);
        // Per-endpoint state outlives the rebuild.
        assertThat(newCanary.state(0)).isSameAs(oldCanary.state(0));
    }
}
