package io.outrigger.governance.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.RoundRobinLoadBalancer;
import io.outrigger.governance.BreakerListener;
import io.outrigger.governance.CircuitBreakerPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class BreakerTest {

    private static final RpcRequest CALL = RpcRequest.of("demo.UserService", "getUser", Payload.of("req"));

    private final ManualClock clock = new ManualClock();
    private final Ticker ticker = Ticker.of(clock);
    private final InMemoryRuleSource source = new InMemoryRuleSource();
    private final RuleStore store = new RuleStore(source);

    private static final CircuitBreakerPolicy SMALL = CircuitBreakerPolicy.builder()
            .windowSize(4)
            .minimumCalls(4)
            .failureRateThreshold(50)
            .openDuration(Duration.ofSeconds(10))
            .halfOpenCalls(2)
            .build();

    private static RpcResponse join(CompletionStage<RpcResponse> stage) {
        return stage.toCompletableFuture().join();
    }

    @Test
    void methodBreakerOpensHalfOpensAndCloses() {
        FakeEndpoint e = FakeEndpoint.of(1).answering(RpcResponse.failure(Status.UNAVAILABLE));
        MethodBreakerInterceptor breaker = new MethodBreakerInterceptor(SMALL, store, ticker, BreakerListener.none());

        for (int i = 0; i < 4; i++) {
            assertThat(join(breaker.intercept(CALL, e)).status().code()).isEqualTo(Status.Code.UNAVAILABLE);
        }
        assertThat(breaker.state("demo.UserService", "getUser")).isEqualTo(CircuitBreaker.State.OPEN);

        RpcResponse rejected = join(breaker.intercept(CALL, e));
        assertThat(e.calls()).isEqualTo(4); // failed fast: never sent
        assertThat(rejected.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(rejected.status().description())
                .startsWith("circuit breaker for demo.UserService/getUser is OPEN")
                .contains("failure rate 100.0%")
                .contains("another 10000 ms");

        // Other methods have their own breaker.
        e.answering(RpcResponse.ok(Payload.of("ok")));
        assertThat(join(breaker.intercept(CALL.withPayload(Payload.of("x")), e)).isOk())
                .isFalse();
        RpcRequest other = RpcRequest.of("demo.UserService", "listUsers", Payload.of("req"));
        assertThat(join(breaker.intercept(other, e)).isOk()).isTrue();

        clock.advance(Duration.ofSeconds(9));
        assertThat(join(breaker.intercept(CALL, e)).status().description()).contains("another 1000 ms");

        // Open period over: two probes go through and close it.
        clock.advance(Duration.ofMillis(1_001));
        assertThat(join(breaker.intercept(CALL, e)).isOk()).isTrue();
        assertThat(breaker.state("demo.UserService", "getUser")).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(join(breaker.intercept(CALL, e)).isOk()).isTrue();
        assertThat(breaker.state("demo.UserService", "getUser")).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void failedProbesOpenItAgainAndAnswersAreNotFailures() {
        FakeEndpoint e = FakeEndpoint.of(1).answering(RpcResponse.failure(Status.NOT_FOUND));
        MethodBreakerInterceptor breaker = new MethodBreakerInterceptor(SMALL, store, ticker, BreakerListener.none());
        for (int i = 0; i < 10; i++) {
            join(breaker.intercept(CALL, e));
        }
        assertThat(breaker.state("demo.UserService", "getUser")).isEqualTo(CircuitBreaker.State.CLOSED);

        e.answering(RpcResponse.failure(Status.DEADLINE_EXCEEDED));
        for (int i = 0; i < 4; i++) {
            join(breaker.intercept(CALL, e));
        }
        assertThat(breaker.state("demo.UserService", "getUser")).isEqualTo(CircuitBreaker.State.OPEN);
        clock.advance(Duration.ofMillis(10_001));
        join(breaker.intercept(CALL, e));
        // The window held two successes, so the second failure made 50% and opened it.
        assertThat(e.calls()).isEqualTo(10 + 2 + 1);
        join(breaker.intercept(CALL, e));
        assertThat(breaker.state("demo.UserService", "getUser")).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void rulesChangeBreakerThresholdsLive() {
        FakeEndpoint e = FakeEndpoint.of(1).answering(RpcResponse.failure(Status.UNAVAILABLE));
        MethodBreakerInterceptor breaker = new MethodBreakerInterceptor(SMALL, store, ticker, BreakerListener.none());
        source.set("demo.UserService", "{\"circuitBreaker\": {\"minimumCalls\": 2, \"windowSize\": 2}}");
        join(breaker.intercept(CALL, e));
        join(breaker.intercept(CALL, e));
        assertThat(breaker.state("demo.UserService", "getUser")).isEqualTo(CircuitBreaker.State.OPEN);
    }

    @Test
    void disabledBreakerNeverOpens() {
        FakeEndpoint e = FakeEndpoint.of(1).answering(RpcResponse.failure(Status.UNAVAILABLE));
        MethodBreakerInterceptor breaker =
                new MethodBreakerInterceptor(CircuitBreakerPolicy.disabled(), store, ticker, BreakerListener.none());
        for (int i = 0; i < 200; i++) {
            join(breaker.intercept(CALL, e));
        }
        assertThat(e.calls()).isEqualTo(200);
    }

    @Test
    void aLowTrafficEndpointThatFailsEveryCallIsEjectedAfterFiveInARow() {
        // Five calls a minute, all failing: the rate-based window (20 calls) never judges them.
        FakeEndpoint good = FakeEndpoint.of(1);
        FakeEndpoint bad = FakeEndpoint.of(2).answering(RpcResponse.failure(Status.UNAVAILABLE));
        EndpointHealth rateOnly =
                new EndpointHealth(CircuitBreakerPolicy.defaults(), store, ticker, BreakerListener.none());
        EndpointHealth health =
                new EndpointHealth(CircuitBreakerPolicy.endpointDefaults(), store, ticker, BreakerListener.none());
        Interceptor rateOnlyRecorder = rateOnly.interceptor();
        Interceptor recorder = health.interceptor();
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofSeconds(12));
            join(recorder.intercept(at(bad), bad));
            join(rateOnlyRecorder.intercept(at(bad), bad));
        }
        assertThat(health.state("demo.UserService", bad)).isEqualTo(CircuitBreaker.State.CLOSED);
        clock.advance(Duration.ofSeconds(12));
        join(recorder.intercept(at(bad), bad));
        join(rateOnlyRecorder.intercept(at(bad), bad));
        assertThat(health.state("demo.UserService", bad)).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(health.router().route(List.of(good, bad), CALL)).containsExactly(good);
        // Rates alone keep it in rotation, which was the hole.
        for (int i = 0; i < 14; i++) {
            join(rateOnlyRecorder.intercept(at(bad), bad));
        }
        assertThat(rateOnly.state("demo.UserService", bad)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(rateOnly.router().route(List.of(good, bad), CALL)).containsExactly(good, bad);
    }

    @Test
    void aSuccessEndsTheRunAndRulesSetItsLength() {
        FakeEndpoint flaky = FakeEndpoint.of(2).answering(RpcResponse.failure(Status.INTERNAL));
        EndpointHealth health =
                new EndpointHealth(CircuitBreakerPolicy.endpointDefaults(), store, ticker, BreakerListener.none());
        Interceptor recorder = health.interceptor();
        for (int round = 0; round < 3; round++) {
            flaky.answering(RpcResponse.failure(Status.INTERNAL));
            for (int i = 0; i < 4; i++) {
                join(recorder.intercept(at(flaky), flaky));
            }
            flaky.answering(RpcResponse.ok(Payload.of("ok")));
            join(recorder.intercept(at(flaky), flaky));
        }
        // 12 failures of 15 calls, never 5 in a row, under the 20 calls the rate needs.
        assertThat(health.state("demo.UserService", flaky)).isEqualTo(CircuitBreaker.State.CLOSED);

        source.set("demo.UserService", "{\"endpointBreaker\": {\"consecutiveFailures\": 2}}");
        flaky.answering(RpcResponse.failure(Status.INTERNAL));
        join(recorder.intercept(at(flaky), flaky));
        assertThat(health.state("demo.UserService", flaky)).isEqualTo(CircuitBreaker.State.CLOSED);
        join(recorder.intercept(at(flaky), flaky));
        assertThat(health.state("demo.UserService", flaky)).isEqualTo(CircuitBreaker.State.OPEN);

        source.set("demo.UserService", "{\"endpointBreaker\": {\"consecutiveFailures\": 0}}");
        for (int i = 0; i < 19; i++) {
            join(recorder.intercept(at(flaky), flaky));
        }
        assertThat(health.state("demo.UserService", flaky)).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    private static RpcRequest at(Endpoint endpoint) {
        return CALL.withAttribute(CallAttributes.ENDPOINT, endpoint);
    }

    @Test
    void endpointBreakerEjectsAnEndpointAndProbesItBack() {
        FakeEndpoint good = FakeEndpoint.of(1);
        FakeEndpoint bad = FakeEndpoint.of(2).answering(RpcResponse.failure(Status.INTERNAL));
        EndpointHealth health = new EndpointHealth(SMALL, store, ticker, BreakerListener.none());
        FakeCluster cluster = new FakeCluster(
                List.of(good, bad),
                List.of(health.router()),
                new RoundRobinLoadBalancer(),
                List.of(AttemptRecord.RECORDER, health.interceptor()));

        for (int i = 0; i < 8; i++) {
            join(cluster.invoke(CALL));
        }
        assertThat(bad.calls()).isEqualTo(4);
        assertThat(health.state("demo.UserService", bad)).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(health.router().route(List.of(good, bad), CALL)).containsExactly(good);

        for (int i = 0; i < 20; i++) {
            assertThat(join(cluster.invoke(CALL)).isOk()).isTrue();
        }
        assertThat(bad.calls()).isEqualTo(4); // ejected: no traffic

        // The open period over, it is due a probe; it has recovered, so two probes close it.
        bad.answering(RpcResponse.ok(Payload.of("back")));
        clock.advance(Duration.ofSeconds(10));
        assertThat(health.router().route(List.of(good, bad), CALL)).containsExactly(good);
        clock.advance(Duration.ofMillis(1));
        assertThat(health.router().route(List.of(good, bad), CALL)).containsExactly(good, bad);
        for (int i = 0; i < 8; i++) {
            join(cluster.invoke(CALL));
        }
        assertThat(health.state("demo.UserService", bad)).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(bad.calls()).isEqualTo(4 + 4);
    }

    @Test
    void halfOpenEndpointGetsOnlyItsProbes() {
        FakeEndpoint good = FakeEndpoint.of(1);
        FakeEndpoint bad = FakeEndpoint.of(2).answering(RpcResponse.failure(Status.UNAVAILABLE));
        EndpointHealth health = new EndpointHealth(SMALL, store, ticker, BreakerListener.none());
        Interceptor recorder = health.interceptor();
        for (int i = 0; i < 4; i++) {
            join(recorder.intercept(CALL.withAttribute(CallAttributes.ENDPOINT, bad), bad));
        }
        clock.advance(Duration.ofMillis(10_001));
        // A probe that does not answer yet: half-open with one of its two probes used.
        bad.answering(r -> new java.util.concurrent.CompletableFuture<>());
        recorder.intercept(CALL.withAttribute(CallAttributes.ENDPOINT, bad), bad);
        assertThat(health.state("demo.UserService", bad)).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(health.router().route(List.of(good, bad), CALL)).containsExactly(good, bad);
        recorder.intercept(CALL.withAttribute(CallAttributes.ENDPOINT, bad), bad);
        assertThat(health.router().route(List.of(good, bad), CALL)).containsExactly(good);
    }

    @Test
    void allEndpointsEjectedMeansNoneIs() {
        FakeEndpoint a = FakeEndpoint.of(1).answering(RpcResponse.failure(Status.UNAVAILABLE));
        FakeEndpoint b = FakeEndpoint.of(2).answering(RpcResponse.failure(Status.UNAVAILABLE));
        EndpointHealth health = new EndpointHealth(SMALL, store, ticker, BreakerListener.none());
        for (Endpoint ep : List.of(a, b)) {
            for (int i = 0; i < 4; i++) {
                join(health.interceptor().intercept(CALL.withAttribute(CallAttributes.ENDPOINT, ep), (Invoker) ep));
            }
        }
        assertThat(health.isEjected("demo.UserService", a)).isTrue();
        assertThat(health.isEjected("demo.UserService", b)).isTrue();
        List<Endpoint> both = List.of(a, b);
        assertThat(health.router().route(both, CALL)).isSameAs(both);
    }
}
