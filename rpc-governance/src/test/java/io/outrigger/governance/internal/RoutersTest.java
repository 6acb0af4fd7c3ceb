package io.outrigger.governance.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.Metadata;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.governance.BreakerListener;
import io.outrigger.governance.CircuitBreakerPolicy;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RoutersTest {

    private static final RpcRequest REQUEST = RpcRequest.of("demo.UserService", "getUser", Payload.EMPTY);
    private static final String VERSION = "outrigger-version";
    private static final String GROUP = "outrigger-group";

    private final InMemoryRuleSource source = new InMemoryRuleSource();
    private final RuleStore store = new RuleStore(source);
    private final SplittableRandom rng = new SplittableRandom(7);

    private static ServiceInstance.Builder at(int port) {
        return ServiceInstance.builder("demo.UserService", "127.0.0.1", port);
    }

    private final FakeEndpoint v14 = FakeEndpoint.of(at(1).version("1.4.0"));
    private final FakeEndpoint v15 = FakeEndpoint.of(at(2).version("1.5.2").group("blue"));
    private final FakeEndpoint v20 = FakeEndpoint.of(at(3).version("2.0.1").group("blue"));
    private final FakeEndpoint canary = FakeEndpoint.of(at(4).version("2.1.0").tags("canary"));
    private final List<Endpoint> all = List.of(v14, v15, v20, canary);

    @Test
    void versionRouterMatchesWildcardsExactVersionsAndLists() {
        assertThat(new VersionRouter(VersionPattern.parseAll(List.of("2.*")), store, VERSION).route(all, REQUEST))
                .containsExactly(v20, canary);
        assertThat(new VersionRouter(VersionPattern.parseAll(List.of("1.4.0", "1.5.*")), store, VERSION)
                        .route(all, REQUEST))
                .containsExactly(v14, v15);
        assertThat(new VersionRouter(List.of(), store, VERSION).route(all, REQUEST))
                .isSameAs(all);
        VersionRouter none = new VersionRouter(VersionPattern.parseAll(List.of("3.*")), store, VERSION);
        assertThat(none.route(all, REQUEST)).isEmpty();
        assertThat(none.toString()).contains("3.*");

        // The service's rules take over from code.
        source.set("demo.UserService", "{\"routing\": {\"versions\": [\"1.*\"]}}");
        assertThat(none.route(all, REQUEST)).containsExactly(v14, v15);
    }

    @Test
    void groupRouterKeepsOneGroup() {
        assertThat(new GroupRouter("blue", store, GROUP).route(all, REQUEST)).containsExactly(v15, v20);
        assertThat(new GroupRouter("", store, GROUP).route(all, REQUEST)).containsExactly(v14, canary);
        assertThat(new GroupRouter(null, store, GROUP).route(all, REQUEST)).isSameAs(all);
        assertThat(new GroupRouter("*", store, GROUP).route(all, REQUEST)).isSameAs(all);
        source.set("demo.UserService", "{\"routing\": {\"group\": \"green\"}}");
        assertThat(new GroupRouter("blue", store, GROUP).route(all, REQUEST)).isEmpty();
    }

    @Test
    void aPerCallVersionWinsOverRulesAndCodeWithTheSameSyntax() {
        VersionRouter router = new VersionRouter(VersionPattern.parseAll(List.of("1.*")), store, VERSION);
        assertThat(router.route(all, REQUEST.withHeader(VERSION, "2.*"))).containsExactly(v20, canary);
        assertThat(router.route(all, REQUEST.withHeader(VERSION, "1.4.0"))).containsExactly(v14);
        assertThat(router.route(all, REQUEST.withHeader(VERSION, "1.4.0, 2.0.*")))
                .containsExactly(v14, v20);
        assertThat(router.route(all, REQUEST.withHeader(VERSION, "*"))).isSameAs(all);
        assertThat(router.route(all, REQUEST.withHeader(VERSION, " "))).containsExactly(v14, v15); // blank: none

        source.set("demo.UserService", "{\"routing\": {\"versions\": [\"2.0.*\"]}}");
        assertThat(router.route(all, REQUEST)).containsExactly(v20);
        assertThat(router.route(all, REQUEST.withHeader(VERSION, "1.5.2"))).containsExactly(v15);
    }

    @Test
    void aCallWithoutTheKeyGetsTheSameListBack() {
        VersionRouter versions = new VersionRouter(List.of(), store, VERSION);
        GroupRouter groups = new GroupRouter(null, store, GROUP);
        assertThat(versions.route(all, REQUEST)).isSameAs(all);
        assertThat(groups.route(all, REQUEST)).isSameAs(all);
        assertThat(groups.route(all, REQUEST.withHeader(GROUP, "*"))).isSameAs(all);
    }

    @Test
    void noVersionMatchNamesWhatWasAskedAndWhatExists() {
        VersionRouter router = new VersionRouter(List.of(), store, VERSION);
        RpcRequest call = REQUEST.withHeader(VERSION, "3.*");
        assertThat(router.route(all, call)).isEmpty();
        Status why = router.noMatch(all, call);
        assertThat(why.code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(why.description())
                .isEqualTo("no provider of demo.UserService matches version=3.* (asked per call in metadata"
                        + " outrigger-version); the 4 candidates have version=1.4.0 (1 provider), 1.5.2 (1"
                        + " provider), 2.0.1 (1 provider), 2.1.0 (1 provider)");

        RpcRequest bad = REQUEST.withHeader(VERSION, "2.*.1");
        assertThat(router.route(all, bad)).isEmpty();
        Status invalid = router.noMatch(all, bad);
        assertThat(invalid.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(invalid.description()).contains("metadata outrigger-version", "2.*.1", "expected");
        assertThat(router.noMatch(all, REQUEST.withHeader(VERSION, "1.0,,2.0")).code())
                .isEqualTo(Status.Code.INVALID_ARGUMENT);

        source.set("demo.UserService", "{\"routing\": {\"versions\": [\"9.*\"]}}");
        assertThat(router.route(all, REQUEST)).isEmpty();
        assertThat(router.noMatch(all, REQUEST).description()).contains("version=9.* (from the service's rules");
    }

    @Test
    void aPerCallGroupWinsAndNoMatchNamesTheGroups() {
        GroupRouter router = new GroupRouter("blue", store, GROUP);
        assertThat(router.route(all, REQUEST)).containsExactly(v15, v20);
        source.set("demo.UserService", "{\"routing\": {\"group\": \"green\"}}");
        assertThat(router.route(all, REQUEST.withHeader(GROUP, "blue"))).containsExactly(v15, v20);
        assertThat(router.route(List.of(v14, v15), REQUEST.withHeader(GROUP, "green, blue")))
                .containsExactly(v15);

        RpcRequest call = REQUEST.withHeader(GROUP, "red");
        assertThat(router.route(all, call)).isEmpty();
        assertThat(router.noMatch(all, call).description())
                .isEqualTo("no provider of demo.UserService is in group=red (asked per call in metadata"
                        + " outrigger-group); the 4 candidates have group=\"\" (2 providers), blue (2 providers)");
        assertThat(router.route(all, REQUEST)).isEmpty();
        assertThat(router.noMatch(all, REQUEST).description())
                .contains("group=green (from the service's rules, routing.group)");
    }

    @Test
    void anEnforcedVersionRuleCannotBeWidenedByACallersPin() {
        VersionRouter router = new VersionRouter(List.of(), store, VERSION);
        source.set("demo.UserService", "{\"routing\": {\"versions\": [\"1.*\"], \"enforced\": true}}");

        assertThat(router.route(all, REQUEST)).containsExactly(v14, v15);
        // A pin inside the rule narrows it; one outside finds nothing, and says why.
        assertThat(router.route(all, REQUEST.withHeader(VERSION, "1.5.*"))).containsExactly(v15);
        RpcRequest pinned = REQUEST.withHeader(VERSION, "2.*");
        assertThat(router.route(all, pinned)).isEmpty();
        assertThat(router.noMatch(all, pinned).description())
                .contains("version=1.* enforced by the service's rules (routing.enforced), then 2.*");

        // Not enforced: the caller's pin wins, as before.
        source.set("demo.UserService", "{\"routing\": {\"versions\": [\"1.*\"]}}");
        assertThat(router.route(all, pinned)).containsExactly(v20, canary);
    }

    @Test
    void anEnforcedGroupRuleCannotBeWidenedByACallersGroup() {
        GroupRouter router = new GroupRouter(null, store, GROUP);
        source.set("demo.UserService", "{\"routing\": {\"group\": \"blue\", \"enforced\": true}}");

        assertThat(router.route(all, REQUEST)).containsExactly(v15, v20);
        assertThat(router.route(all, REQUEST.withHeader(GROUP, "*"))).containsExactly(v15, v20);
        RpcRequest other = REQUEST.withHeader(GROUP, "green");
        assertThat(router.route(all, other)).isEmpty();
        assertThat(router.noMatch(all, other).description()).contains("group=blue enforced by the service's rules");
    }

    @Test
    void tagRouterSendsTaggedCallsToTaggedProvidersAndFallsBackToUntagged() {
        TagRouter router = new TagRouter("outrigger-tag");
        RpcRequest canaryCall = REQUEST.withHeader("outrigger-tag", "canary");
        RpcRequest grayCall = REQUEST.withHeader("outrigger-tag", "gray");
        assertThat(router.route(all, canaryCall)).containsExactly(canary);
        assertThat(router.route(all, grayCall)).containsExactly(v14, v15, v20); // no "gray": untagged ones
        assertThat(router.route(all, REQUEST)).containsExactly(v14, v15, v20); // canary kept for its traffic
        assertThat(router.route(List.of(canary), REQUEST)).containsExactly(canary); // all tagged: any
    }

    @Test
    void canarySplitSendsItsShareWithinTolerance() {
        source.set("demo.UserService", "{\"routing\": {\"splits\": [{\"version\": \"2.*\", \"percent\": 5}]}}");
        SplitRouter router = new SplitRouter(store, "outrigger-tag", () -> rng);
        int toCanary = 0;
        int toStable = 0;
        int n = 100_000;
        List<Endpoint> canaries = List.of(v20, canary);
        List<Endpoint> stable = List.of(v14, v15);
        for (int i = 0; i < n; i++) {
            List<Endpoint> routed = router.route(all, REQUEST);
            if (routed.equals(canaries)) {
                toCanary++;
            } else if (routed.equals(stable)) {
                toStable++;
            }
        }
        assertThat(toCanary + toStable).isEqualTo(n);
        // Standard deviation ~0.07%: 0.5% is seven sigma.
        assertThat(toCanary / (double) n).isCloseTo(0.05, within(0.005));

        // An explicit tag is not split.
        assertThat(router.route(all, REQUEST.withHeader("outrigger-tag", "x"))).isSameAs(all);
    }

    @Test
    void splitByKeyIsStickyPerKey() {
        source.set(
                "demo.UserService",
                "{\"routing\": {\"splits\": [{\"tag\": \"canary\", \"percent\": 20}],"
                        + " \"splitKeyHeader\": \"user-id\"}}");
        SplitRouter router = new SplitRouter(store, "outrigger-tag", () -> rng);
        int toCanary = 0;
        for (int u = 0; u < 10_000; u++) {
            RpcRequest call = REQUEST.withMetadata(Metadata.of("user-id", "u" + u));
            List<Endpoint> first = router.route(all, call);
            for (int again = 0; again < 3; again++) {
                if (!router.route(all, call).equals(first)) {
                    throw new AssertionError("user u" + u + " moved between splits");
                }
            }
            if (first.equals(List.of(canary))) {
                toCanary++;
            }
        }
        assertThat(toCanary / 10_000.0).isCloseTo(0.20, within(0.02));
    }

    @Test
    void splitWithoutMatchingProvidersSendsItsShareToTheRest() {
        source.set("demo.UserService", "{\"routing\": {\"splits\": [{\"version\": \"9.*\", \"percent\": 100}]}}");
        SplitRouter router = new SplitRouter(store, "outrigger-tag", () -> rng);
        assertThat(router.route(all, REQUEST)).isEqualTo(all);
    }

    @Test
    void zoneAffinityStaysLocalAndSpillsOverWhenTooFewLocalEndpointsAreHealthy() {
        FakeEndpoint a1 = FakeEndpoint.of(at(11).zone("a"));
        FakeEndpoint a2 = FakeEndpoint.of(at(12).zone("a"));
        FakeEndpoint a3 = FakeEndpoint.of(at(13).zone("a"));
        FakeEndpoint b1 = FakeEndpoint.of(at(21).zone("b"));
        FakeEndpoint b2 = FakeEndpoint.of(at(22).zone("b"));
        List<Endpoint> eps = List.of(a1, a2, a3, b1, b2);
        ManualClock clock = new ManualClock();
        EndpointHealth health = new EndpointHealth(
                CircuitBreakerPolicy.builder().minimumCalls(2).windowSize(2).build(),
                store,
                Ticker.of(clock),
                BreakerListener.none());
        ZoneRouter router = new ZoneRouter("a", 0.6, health);

        assertThat(router.route(eps, REQUEST)).containsExactly(a1, a2, a3);
        a1.available(false); // 2 of 3 healthy = 67% >= 60%: stay
        assertThat(router.route(eps, REQUEST)).containsExactly(a1, a2, a3);

        // a2's breaker opens: 1 of 3 healthy = 33% < 60%: spill over to every zone.
        a2.answering(RpcResponse.failure(Status.UNAVAILABLE));
        for (int i = 0; i < 2; i++) {
            health.interceptor()
                    .intercept(REQUEST.withAttribute(CallAttributes.ENDPOINT, a2), a2)
                    .toCompletableFuture()
                    .join();
        }
        assertThat(health.state("demo.UserService", a2)).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(router.route(eps, REQUEST)).isSameAs(eps);

        // No local endpoint at all: everything.
        assertThat(new ZoneRouter("c", 0.6, health).route(eps, REQUEST)).isSameAs(eps);
    }
}
