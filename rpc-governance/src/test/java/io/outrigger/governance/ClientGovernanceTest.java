package io.outrigger.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.outrigger.core.CallAttributes;
import io.outrigger.core.Deadline;
import io.outrigger.core.Invoker;
import io.outrigger.core.Payload;
import io.outrigger.core.RequestNotRunException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.cluster.LoadBalancer;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.service.ServiceName;
import io.outrigger.governance.internal.FakeCluster;
import io.outrigger.governance.internal.FakeEndpoint;
import io.outrigger.governance.internal.InMemoryRuleSource;
import io.outrigger.governance.internal.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The pieces of {@link ClientGovernance} assembled as the client will assemble them. */
class ClientGovernanceTest {

    @ServiceName("demo.UserService")
    public interface UserService {
        String getUser(String id);
    }

    private static final RpcRequest CALL = RpcRequest.of("demo.UserService", "getUser", Payload.of("42"));

    private final InMemoryRuleSource source = new InMemoryRuleSource();
    private final LiveRules rules = LiveRules.from(source);
    private final ManualClock clock = new ManualClock();
    private final SplittableRandom rng = new SplittableRandom(3);

    private static FakeEndpoint provider(int port, String version) {
        return FakeEndpoint.of(
                ServiceInstance.builder("demo.UserService", "127.0.0.1", port).version(version));
    }

    /** user interceptors -> fallback -> retry -> cluster (routers, balancer, endpoint interceptors). */
    private static Invoker client(ClientGovernance gov, List<FakeEndpoint> endpoints) {
        LoadBalancer balancer = gov.loadBalancerFactory().create("demo.UserService");
        Invoker cluster = new FakeCluster(endpoints, gov.routers(), balancer, gov.endpointInterceptors());
        return cluster.decorate(gov.retry()).decorate(gov.fallback());
    }

    private static RpcResponse join(CompletionStage<RpcResponse> stage) {
        return stage.toCompletableFuture().join();
    }

    @Test
    void aRuleDocumentChangesRoutingAndWeightsLive() {
        FakeEndpoint old1 = provider(1, "1.4.0");
        FakeEndpoint old2 = provider(2, "1.4.0");
        FakeEndpoint next = provider(3, "2.0.0");
        ClientGovernance gov = ClientGovernance.builder()
                .rules(rules)
                .loadBalancing(LoadBalancing.WEIGHTED_RANDOM)
                .random(() -> rng)
                .clock(clock)
                .build();
        Invoker client = client(gov, List.of(old1, old2, next));
        assertThat(source.watchers("demo.UserService")).isEqualTo(1); // watched when the balancer was made

        for (int i = 0; i < 3_000; i++) {
            join(client.invoke(CALL));
        }
        assertThat(next.calls() / 3_000.0).isCloseTo(1 / 3.0, within(0.04));

        // Canary: 10% of calls to 2.*.
        source.set("demo.UserService", "{\"routing\": {\"splits\": [{\"version\": \"2.*\", \"percent\": 10}]}}");
        int before = next.calls();
        for (int i = 0; i < 10_000; i++) {
            join(client.invoke(CALL));
        }
        assertThat((next.calls() - before) / 10_000.0).isCloseTo(0.10, within(0.01));

        // Only 2.*, then weights: old2 drained, old1 three times next.
        source.set("demo.UserService", "{\"routing\": {\"versions\": [\"2.*\"]}}");
        int oldBefore = old1.calls() + old2.calls();
        for (int i = 0; i < 100; i++) {
            join(client.invoke(CALL));
        }
        assertThat(old1.calls() + old2.calls()).isEqualTo(oldBefore);

        source.set("demo.UserService", "{\"weights\": {\"127.0.0.1:2\": 0, \"127.0.0.1:1\": 300}}");
        int o1 = old1.calls();
        int o2 = old2.calls();
        int n = next.calls();
        for (int i = 0; i < 8_000; i++) {
            join(client.invoke(CALL));
        }
        assertThat(old2.calls()).isEqualTo(o2);
        assertThat((old1.calls() - o1) / (double) (next.calls() - n)).isCloseTo(3.0, within(0.3));

        // A broken document is rejected: the weights stay.
        source.set("demo.UserService", "{\"weights\": {\"127.0.0.1:2\": -5}}");
        assertThat(rules.lastRejection("demo.UserService")).contains("weights.127.0.0.1:2: -5");
        assertThat(rules.current("demo.UserService")).contains("300");
        for (int i = 0; i < 500; i++) {
            join(client.invoke(CALL));
        }
        assertThat(old2.calls()).isEqualTo(o2);
    }

    @Test
    void versionWithNoMatchingProviderFailsNamingTheRouter() {
        ClientGovernance gov = ClientGovernance.builder().version("3.*").build();
        RpcResponse r = join(client(gov, List.of(provider(1, "1.4.0"))).invoke(CALL));
        assertThat(r.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(r.status().description()).contains("version router (version in [3.*]");
    }

    @Test
    void failoverAvoidsTheEndpointThatFailed() {
        FakeEndpoint down =
                provider(1, "").answering(RpcResponse.failure(RequestNotRunException.mark(Status.UNAVAILABLE)));
        FakeEndpoint up = provider(2, "");
        ClientGovernance gov = ClientGovernance.builder().random(() -> rng).build();
        Invoker client = client(gov, List.of(down, up));
        for (int i = 0; i < 50; i++) {
            assertThat(join(client.invoke(CALL)).isOk()).isTrue();
        }
        assertThat(up.calls()).isEqualTo(50);
    }

    @Test
    void fallbackAnswersWhenCallsFailWhenTheBreakerOpensAndWhenForced() {
        FakeEndpoint down = provider(1, "")
                .answering(
                        RpcResponse.failure(RequestNotRunException.mark(Status.UNAVAILABLE.withDescription("gone"))));
        ClientGovernance gov = ClientGovernance.builder()
                .rules(rules)
                .clock(clock)
                .methodBreaker(CircuitBreakerPolicy.builder()
                        .minimumCalls(5)
                        .windowSize(5)
                        .build())
                .endpointBreaker(CircuitBreakerPolicy.disabled())
                .fallback(UserService.class, id -> "fallback:" + id)
                .build();
        Invoker client = client(gov, List.of(down));
        for (int i = 0; i < 5; i++) {
            assertThat(join(client.invoke(CALL)).payload()).isEqualTo(Payload.of("fallback:42"));
        }
        int sent = down.calls();
        assertThat(sent).isEqualTo(5 * 3); // three attempts each: the budget's minimum allows it

        // The breaker is open: answered by the fallback without a single attempt.
        assertThat(join(client.invoke(CALL)).payload()).isEqualTo(Payload.of("fallback:42"));
        assertThat(down.calls()).isEqualTo(sent);

        // Forced degrade with a healthy provider.
        down.answering(RpcResponse.ok(Payload.of("live")));
        clock.advance(Duration.ofSeconds(11));
        assertThat(join(client.invoke(CALL)).payload()).isEqualTo(Payload.of("live"));
        source.set("demo.UserService", "{\"degrade\": [\"getUser\"]}");
        int now = down.calls();
        assertThat(join(client.invoke(CALL)).payload()).isEqualTo(Payload.of("fallback:42"));
        assertThat(down.calls()).isEqualTo(now);
    }

    @Test
    void theBreakerListenerHearsEveryTransitionAndBreakerStatesNamesEachBreaker() {
        FakeEndpoint down = provider(1, "")
                .answering(
                        RpcResponse.failure(RequestNotRunException.mark(Status.UNAVAILABLE.withDescription("gone"))));
        List<String> transitions = new ArrayList<>();
        CircuitBreakerPolicy small =
                CircuitBreakerPolicy.builder().minimumCalls(5).windowSize(5).build();
        ClientGovernance gov = ClientGovernance.builder()
                .clock(clock)
                .methodBreaker(small)
                .endpointBreaker(small)
                .breakerListener((breaker, from, to) -> transitions.add(breaker + " " + from + "->" + to))
                .build();
        Invoker client = client(gov, List.of(down));
        assertThat(gov.breakerStates()).isEmpty();

        for (int i = 0; i < 5; i++) {
            assertThat(join(client.invoke(CALL)).status().code()).isEqualTo(Status.Code.UNAVAILABLE);
        }
        assertThat(transitions)
                .contains("demo.UserService@127.0.0.1:1 CLOSED->OPEN", "demo.UserService/getUser CLOSED->OPEN");
        assertThat(gov.breakerStates())
                .containsEntry("demo.UserService/getUser", "OPEN")
                .containsEntry("demo.UserService@127.0.0.1:1", "OPEN")
                .hasSize(2);

        // Recovery: past the open period the probes succeed and both breakers close again.
        down.answering(RpcResponse.ok(Payload.of("live")));
        clock.advance(Duration.ofSeconds(11));
        for (int i = 0; i < 10 && gov.breakerStates().containsValue("OPEN"); i++) {
            join(client.invoke(CALL));
        }
        for (int i = 0; i < 10; i++) {
            assertThat(join(client.invoke(CALL)).isOk()).isTrue();
        }
        assertThat(gov.breakerStates())
                .containsOnly(
                        Map.entry("demo.UserService/getUser", "CLOSED"),
                        Map.entry("demo.UserService@127.0.0.1:1", "CLOSED"));
        assertThat(transitions).contains("demo.UserService/getUser HALF_OPEN->CLOSED");
    }

    @Test
    void theBreakerOfAnEndpointNoLongerCalledIsDropped() {
        FakeEndpoint gone = provider(1, "");
        FakeEndpoint replacement = provider(2, "");
        ClientGovernance gov = ClientGovernance.builder().clock(clock).build();
        join(client(gov, List.of(gone)).invoke(CALL));
        assertThat(gov.breakerStates()).containsKey("demo.UserService@127.0.0.1:1");

        Invoker afterRedeploy = client(gov, List.of(replacement));
        join(afterRedeploy.invoke(CALL));
        clock.advance(Duration.ofMinutes(5));
        join(afterRedeploy.invoke(CALL));
        assertThat(gov.breakerStates()).containsKeys("demo.UserService@127.0.0.1:1", "demo.UserService@127.0.0.1:2");

        clock.advance(Duration.ofMinutes(6)); // 11 minutes since the gone endpoint's last call
        join(afterRedeploy.invoke(CALL));
        assertThat(gov.breakerStates().keySet())
                .containsExactly("demo.UserService/getUser", "demo.UserService@127.0.0.1:2");
    }

    @Test
    void clientLimitsAndTimeoutsComeFromRulesToo() {
        List<Deadline> deadlines = new ArrayList<>();
        FakeEndpoint p = provider(1, "").answering(r -> {
            deadlines.add(r.deadline());
            return java.util.concurrent.CompletableFuture.completedFuture(RpcResponse.ok(Payload.of("ok")));
        });
        ClientGovernance gov = ClientGovernance.builder()
                .rules(rules)
                .clock(clock)
                .timeout(Duration.ofSeconds(30))
                .rateLimit("demo.UserService", "getUser", 1_000)
                .build();
        Invoker client = client(gov, List.of(p));
        join(client.invoke(CALL));
        assertThat(deadlines.get(0).remainingNanos())
                .isBetween(
                        Duration.ofSeconds(29).toNanos(), Duration.ofSeconds(30).toNanos());

        source.set(
                "demo.UserService",
                "{\"timeouts\": {\"getUser\": 200}, \"clientLimits\": {\"getUser\": {\"permitsPerSecond\": 1}}}");
        assertThat(join(client.invoke(CALL)).isOk()).isTrue();
        assertThat(deadlines.get(1).remainingNanos())
                .isLessThanOrEqualTo(Duration.ofMillis(200).toNanos());
        RpcResponse limited = join(client.invoke(CALL.withAttribute(CallAttributes.IDEMPOTENT, true)));
        // RESOURCE_EXHAUSTED from a local limit: the fallback would answer it, but there is none.
        assertThat(limited.status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(limited.status().description())
                .contains("rate limit of demo.UserService/getUser exceeded: 1 calls/s (client limit)");
        assertThat(p.calls()).isEqualTo(2);
    }

    @Test
    void consistentHashNeedsAHeaderAndRoutesByIt() {
        assertThatThrownBy(() -> ClientGovernance.builder()
                        .loadBalancing(LoadBalancing.CONSISTENT_HASH)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("hashHeader: null (expected: a metadata key when loadBalancing is CONSISTENT_HASH)");
        ClientGovernance gov = ClientGovernance.builder()
                .loadBalancing(LoadBalancing.CONSISTENT_HASH)
                .hashHeader("user-id")
                .build();
        List<FakeEndpoint> eps = List.of(provider(1, ""), provider(2, ""), provider(3, ""));
        Invoker client = client(gov, eps);
        RpcRequest keyed = CALL.withHeader("user-id", "alice");
        for (int i = 0; i < 20; i++) {
            join(client.invoke(keyed));
        }
        assertThat(eps.stream().mapToInt(FakeEndpoint::calls).max().getAsInt()).isEqualTo(20);
    }

    @Test
    void buildersValidateEagerly() {
        assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0)).hasMessage("maxAttempts: 0 (expected: 1..10)");
        assertThatThrownBy(() -> RetryPolicy.builder().budgetRatio(1.5))
                .hasMessage("budgetRatio: 1.5 (expected: 0..1)");
        assertThatThrownBy(() -> RetryPolicy.builder().retryOn(Status.Code.OK)).hasMessageContaining("OK");
        assertThatThrownBy(() -> CircuitBreakerPolicy.builder().failureRateThreshold(0))
                .hasMessage("failureRateThreshold: 0.0 (expected: > 0 and <= 100)");
        assertThatThrownBy(() -> CircuitBreakerPolicy.builder().openDuration(Duration.ZERO))
                .hasMessage("openDuration: PT0S (expected: > 0)");
        assertThatThrownBy(() -> ClusterStrategy.forking(1)).hasMessage("forks: 1 (expected: 2..10)");
        assertThatThrownBy(() -> ClientGovernance.builder().version("2*"))
                .hasMessageContaining("version pattern: \"2*\"");
        assertThatThrownBy(() -> ClientGovernance.builder().zone("a", 1.5))
                .hasMessage("minHealthyShare: 1.5 (expected: 0..1)");
        assertThatThrownBy(() -> ClientGovernance.builder().warmUp(Duration.ofSeconds(-1)))
                .hasMessageContaining("warmUp");
        assertThatThrownBy(() -> ClientGovernance.builder().hashHeader("User-Id"))
                .hasMessageContaining("metadata key");
        assertThatThrownBy(() -> ServerGovernance.builder().rateLimit("demo.UserService", "getUser", 0))
                .hasMessage("permitsPerSecond: 0 (expected: 1..1000000)");
        assertThatThrownBy(() -> ServerGovernance.builder().concurrencyLimit("demo.UserService", "a/b", 1))
                .hasMessage("method: \"a/b\" (expected: a method name or \"*\")");
        assertThatThrownBy(() -> LiveRules.validate("{\"retry\": {\"maxAttempts\": 0}}"))
                .hasMessageContaining("retry.maxAttempts: 0 (expected: 1..10)");
        LiveRules.validate("{}");
    }

    @Test
    void exposesEveryPieceForTheClientSlots() {
        ClientGovernance gov = ClientGovernance.builder().zone("a", 0.5).build();
        assertThat(gov.interceptors()).containsExactly(gov.fallback(), gov.retry());
        assertThat(gov.routers())
                .extracting(Object::toString)
                .satisfiesExactly(
                        r -> assertThat(r).startsWith("version router"),
                        r -> assertThat(r).startsWith("group router"),
                        r -> assertThat(r).startsWith("split router"),
                        r -> assertThat(r).startsWith("tag router"),
                        r -> assertThat(r).startsWith("zone router"),
                        r -> assertThat(r).startsWith("outlier router"));
        assertThat(gov.endpointInterceptors()).hasSize(2);
        assertThat(gov.loadBalancerFactory().create("demo.UserService")).hasToString("p2c-peak-ewma");
    }
}
