package io.outrigger.governance.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.CallAttributes;
import io.outrigger.core.Deadline;
import io.outrigger.core.Invoker;
import io.outrigger.core.NoProviderException;
import io.outrigger.core.Payload;
import io.outrigger.core.RequestMayHaveRunException;
import io.outrigger.core.RequestNotRunException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.governance.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClusterStrategyTest {

    private static final RpcRequest CALL = RpcRequest.of("demo.UserService", "getUser", Payload.of("req"));

    private final ManualClock clock = new ManualClock();
    private final Ticker ticker = Ticker.of(clock);
    private final InMemoryRuleSource source = new InMemoryRuleSource();
    private final RuleStore store = new RuleStore(source);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private static RpcResponse join(CompletionStage<RpcResponse> stage) {
        return stage.toCompletableFuture().join();
    }

    /** The defaults without the waits between attempts, so these tests do not sleep. */
    private static final RetryPolicy FAST =
            RetryPolicy.builder().backoff(Duration.ZERO, Duration.ZERO).build();

    private static RpcResponse failure(Status.Code code) {
        return RpcResponse.failure(Status.of(code).withDescription("test"));
    }

    /** A failure known not to have reached service code (not sent, or refused before running). */
    private static RpcResponse notRun(Status.Code code) {
        return RpcResponse.failure(RequestNotRunException.mark(Status.of(code).withDescription("not run")));
    }

    @Test
    void anUnavailableThatMayHaveRunIsRetriedOnlyForIdempotentMethods() {
        // E.g. returned by the provider's code for a failing nested call, or an app's 503 via the sidecar.
        FakeEndpoint provider = FakeEndpoint.of(1).answering(failure(Status.Code.UNAVAILABLE));
        FakeEndpoint other = FakeEndpoint.of(2).answering(failure(Status.Code.UNAVAILABLE));
        Invoker cluster = FakeCluster.of(List.of(provider, other));
        RetryInterceptor retry = new RetryInterceptor(FAST, store, ticker);

        assertThat(join(retry.intercept(CALL, cluster)).status().code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(provider.calls() + other.calls()).isEqualTo(1);

        join(retry.intercept(CALL.withAttribute(CallAttributes.IDEMPOTENT, true), cluster));
        assertThat(provider.calls() + other.calls()).isEqualTo(1 + 3);
    }

    @Test
    void aNotRunRefusalIsRetriedForEveryMethodOnTheCodesOfRetryOn() {
        FakeEndpoint busy = FakeEndpoint.of(1).answering(notRun(Status.Code.RESOURCE_EXHAUSTED));
        FakeEndpoint free = FakeEndpoint.of(2);
        Invoker cluster = FakeCluster.of(List.of(busy, free));
        RetryInterceptor byDefault = new RetryInterceptor(FAST, store, ticker);
        RetryInterceptor onBusy = new RetryInterceptor(
                FAST.toBuilder()
                        .retryOn(Status.Code.UNAVAILABLE, Status.Code.RESOURCE_EXHAUSTED)
                        .build(),
                store,
                ticker);

        // RESOURCE_EXHAUSTED is not in the default retryOn.
        RpcResponse first = join(byDefault.intercept(CALL, FakeCluster.of(List.of(busy))));
        assertThat(first.status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        for (int i = 0; i < 4; i++) {
            assertThat(join(onBusy.intercept(CALL, cluster)).isOk()).isTrue();
        }
    }

    @Test
    void noProviderIsFinalForTheCall() {
        Invoker nobody = request -> CompletableFuture.completedFuture(RpcResponse.failure(Status.UNAVAILABLE
                .withDescription("no provider of demo.UserService matches version=2.*")
                .withCause(new NoProviderException("no provider"))));
        AtomicInteger attempts = new AtomicInteger();
        Invoker counted = request -> {
            attempts.incrementAndGet();
            return nobody.invoke(request);
        };
        RetryInterceptor retry = new RetryInterceptor(FAST, store, ticker);

        RpcResponse r = join(retry.intercept(CALL.withAttribute(CallAttributes.IDEMPOTENT, true), counted));

        assertThat(r.status().description()).isEqualTo("no provider of demo.UserService matches version=2.*");
        assertThat(attempts.get()).isEqualTo(1);
    }

    @Test
    void attemptsWaitAJitteredExponentialBackoff() {
        List<Long> starts = new CopyOnWriteArrayList<>();
        Invoker down = request -> {
            starts.add(System.nanoTime());
            return CompletableFuture.completedFuture(notRun(Status.Code.UNAVAILABLE));
        };
        RetryPolicy policy = RetryPolicy.builder()
                .maxAttempts(4)
                .backoff(Duration.ofMillis(40), Duration.ofMillis(100))
                .build();
        RetryInterceptor retry = new RetryInterceptor(policy, store, ticker);

        join(retry.intercept(CALL.withDeadline(Deadline.after(Duration.ofSeconds(10))), down));

        assertThat(starts).hasSize(4);
        // Waits of 40, 80 and 100 (capped) ms, each drawn from its upper half.
        long[] least = {20, 40, 50};
        for (int i = 1; i < 4; i++) {
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(starts.get(i) - starts.get(i - 1));
            assertThat(waitedMillis).as("wait before attempt %d", i + 1).isGreaterThanOrEqualTo(least[i - 1]);
        }
        assertThat(policy.backoffNanos(1, 0)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(20));
        assertThat(policy.backoffNanos(1, 1)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
        assertThat(policy.backoffNanos(2, 1)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(80));
        assertThat(policy.backoffNanos(5, 1)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    }

    @Test
    void noRetryWhenTheDeadlineEndsDuringTheBackoff() {
        AtomicInteger attempts = new AtomicInteger();
        Invoker down = request -> {
            attempts.incrementAndGet();
            return CompletableFuture.completedFuture(notRun(Status.Code.UNAVAILABLE));
        };
        RetryPolicy policy = RetryPolicy.builder()
                .backoff(Duration.ofSeconds(5), Duration.ofSeconds(5))
                .build();
        RetryInterceptor retry = new RetryInterceptor(policy, store, ticker);

        RpcResponse r = join(retry.intercept(CALL.withDeadline(Deadline.after(Duration.ofMillis(500))), down));

        assertThat(attempts.get()).isEqualTo(1);
        assertThat(r.status().description()).contains("not retried: the deadline ends before the backoff of");
    }

    @Test
    void failoverRetriesUnavailableOnAnotherEndpointAndSetsAttemptAndTried() {
        FakeEndpoint down = FakeEndpoint.of(1).answering(notRun(Status.Code.UNAVAILABLE));
        FakeEndpoint up = FakeEndpoint.of(2);
        FakeCluster cluster = FakeCluster.of(List.of(down, up));
        RetryInterceptor retry = new RetryInterceptor(FAST, store, ticker);

        for (int i = 0; i < 10; i++) {
            assertThat(join(retry.intercept(CALL, cluster)).isOk()).isTrue();
        }
        assertThat(down.calls()).isBetween(1, 10);
        // Every retry after a failure on "down" carried attempt 2 and avoided it.
        for (RpcRequest r : up.received()) {
            int attempt = r.attributes().get(CallAttributes.ATTEMPT);
            Set<String> tried = r.attributes().get(CallAttributes.TRIED_ENDPOINTS);
            if (attempt == 2) {
                assertThat(tried).containsExactly("127.0.0.1:1");
            } else {
                assertThat(attempt).isEqualTo(1);
                assertThat(tried).isEmpty();
            }
        }
        assertThat(up.received().stream().filter(r -> r.attributes().get(CallAttributes.ATTEMPT) == 2))
                .hasSize(down.calls());
    }

    @Test
    void deadlineExceededIsRetriedOnlyForIdempotentMethods() {
        FakeEndpoint slow = FakeEndpoint.of(1).answering(failure(Status.Code.DEADLINE_EXCEEDED));
        Invoker cluster = FakeCluster.of(List.of(slow));
        RetryInterceptor retry = new RetryInterceptor(FAST, store, ticker);
        RpcRequest deadline = CALL.withDeadline(Deadline.after(Duration.ofSeconds(30)));

        RpcResponse notIdempotent = join(retry.intercept(deadline, cluster));
        assertThat(notIdempotent.status().code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(slow.calls()).isEqualTo(1);

        RpcResponse idempotent =
                join(retry.intercept(deadline.withAttribute(CallAttributes.IDEMPOTENT, true), cluster));
        assertThat(idempotent.status().code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(slow.calls()).isEqualTo(1 + 3);

        // Application errors alike; answers such as NOT_FOUND never.
        slow.answering(failure(Status.Code.UNKNOWN));
        join(retry.intercept(CALL, cluster));
        assertThat(slow.calls()).isEqualTo(4 + 1);
        join(retry.intercept(CALL.withAttribute(CallAttributes.IDEMPOTENT, true), cluster));
        assertThat(slow.calls()).isEqualTo(5 + 3);
        slow.answering(failure(Status.Code.NOT_FOUND));
        join(retry.intercept(CALL.withAttribute(CallAttributes.IDEMPOTENT, true), cluster));
        assertThat(slow.calls()).isEqualTo(8 + 1);
    }

    @Test
    void connectionLostInFlightIsRetriedOnlyForIdempotentMethods() {
        String why = "connection to 127.0.0.1:1 closed while the call was in flight (it may have run)";
        RpcResponse lost = RpcResponse.failure(
                Status.UNAVAILABLE.withDescription(why).withCause(new RequestMayHaveRunException(why)));
        FakeEndpoint dying = FakeEndpoint.of(1).answering(lost);
        Invoker cluster = FakeCluster.of(List.of(dying));
        RetryInterceptor retry = new RetryInterceptor(FAST, store, ticker);

        assertThat(join(retry.intercept(CALL, cluster)).status().code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(dying.calls()).isEqualTo(1);

        join(retry.intercept(CALL.withAttribute(CallAttributes.IDEMPOTENT, true), cluster));
        assertThat(dying.calls()).isEqualTo(1 + 3);
    }

    @Test
    void retryBudgetCapsRetriesUnderAFailingProvider() {
        FakeEndpoint a = FakeEndpoint.of(1).answering(notRun(Status.Code.UNAVAILABLE));
        FakeEndpoint b = FakeEndpoint.of(2).answering(notRun(Status.Code.UNAVAILABLE));
        Invoker cluster = FakeCluster.of(List.of(a, b));
        RetryPolicy policy = RetryPolicy.builder()
                .maxAttempts(3)
                .budgetRatio(0.1)
                .minRetriesPerSecond(0)
                .build();
        RetryInterceptor retry = new RetryInterceptor(policy, store, ticker);

        int calls = 1_000;
        int exhausted = 0;
        for (int i = 0; i < calls; i++) {
            RpcResponse r = join(retry.intercept(CALL, cluster));
            assertThat(r.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
            if (r.status().description().contains("retry budget exhausted")) {
                exhausted++;
            }
        }
        int attempts = a.calls() + b.calls();
        // Without a budget: 3,000 attempts. With it: at most 10% extra.
        assertThat(attempts - calls).isBetween(90, 100);
        assertThat(exhausted).isGreaterThan(850);

        // The minimum per second lets a rarely called service retry at all.
        RetryInterceptor withMinimum =
                new RetryInterceptor(policy.toBuilder().minRetriesPerSecond(1).build(), new RuleStore(null), ticker);
        FakeEndpoint c = FakeEndpoint.of(3).answering(notRun(Status.Code.UNAVAILABLE));
        join(withMinimum.intercept(CALL, FakeCluster.of(List.of(c))));
        assertThat(c.calls()).isEqualTo(3);

        // Ten seconds later the window has moved on: the old calls no longer pay for retries.
        clock.advance(Duration.ofSeconds(11));
        int before = a.calls() + b.calls();
        join(retry.intercept(CALL, cluster));
        assertThat(a.calls() + b.calls() - before).isEqualTo(1);
    }

    @Test
    void noAttemptStartsAfterTheDeadlineAndAllCarryIt() {
        List<Boolean> expiredAtStart = new CopyOnWriteArrayList<>();
        List<Deadline> deadlines = new CopyOnWriteArrayList<>();
        FakeEndpoint flaky = FakeEndpoint.of(1).answering(r -> {
            expiredAtStart.add(r.deadline().isExpired());
            deadlines.add(r.deadline());
            CompletableFuture<RpcResponse> f = new CompletableFuture<>();
            timer.schedule(() -> f.complete(notRun(Status.Code.UNAVAILABLE)), 40, TimeUnit.MILLISECONDS);
            return f;
        });
        RetryPolicy policy =
                RetryPolicy.builder().maxAttempts(10).minRetriesPerSecond(1_000).build();
        RetryInterceptor retry = new RetryInterceptor(policy, store, Ticker.system());
        Deadline deadline = Deadline.after(Duration.ofMillis(150));
        long start = System.nanoTime();
        RpcResponse r = join(retry.intercept(CALL.withDeadline(deadline), FakeCluster.of(List.of(flaky))));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(r.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(expiredAtStart).isNotEmpty().containsOnly(false);
        assertThat(deadlines).containsOnly(deadline);
        // 150 ms allows about four 40 ms attempts (fewer when a busy machine stretches the timers), far
        // from the ten the policy would make without a deadline.
        assertThat(flaky.calls()).isBetween(1, 5);
        assertThat(tookMs).isLessThan(150 + 40 + 1000);
    }

    @Test
    void aCallWhoseDeadlineHasPassedIsNotSent() {
        FakeEndpoint e = FakeEndpoint.of(1);
        RpcResponse r = join(new RetryInterceptor(FAST, store, ticker)
                .intercept(CALL.withDeadline(Deadline.after(Duration.ZERO)), FakeCluster.of(List.of(e))));
        assertThat(r.status().code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(e.calls()).isZero();
    }

    @Test
    void attemptTimeoutGivesEachAttemptAnEarlierDeadline() {
        List<Deadline> deadlines = new ArrayList<>();
        FakeEndpoint e = FakeEndpoint.of(1).answering(r -> {
            deadlines.add(r.deadline());
            return CompletableFuture.completedFuture(notRun(Status.Code.UNAVAILABLE));
        });
        RetryPolicy policy =
                RetryPolicy.builder().attemptTimeout(Duration.ofMillis(500)).build();
        Deadline call = Deadline.after(Duration.ofSeconds(60));
        join(new RetryInterceptor(policy, store, ticker)
                .intercept(CALL.withDeadline(call), FakeCluster.of(List.of(e))));
        assertThat(deadlines).hasSize(3).allSatisfy(d -> {
            assertThat(d).isLessThan(call);
            assertThat(d.remainingNanos()).isLessThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
        });
    }

    @Test
    void rulesChangeTheRetryPolicyLive() {
        FakeEndpoint down = FakeEndpoint.of(1).answering(notRun(Status.Code.UNAVAILABLE));
        Invoker cluster = FakeCluster.of(List.of(down));
        RetryInterceptor retry = new RetryInterceptor(FAST, store, ticker);
        join(retry.intercept(CALL, cluster));
        assertThat(down.calls()).isEqualTo(3);
        source.set("demo.UserService", "{\"retry\": {\"maxAttempts\": 1}}");
        join(retry.intercept(CALL, cluster));
        assertThat(down.calls()).isEqualTo(4);
        source.set("demo.UserService", "{\"retry\": {\"maxAttempts\": 5, \"retryOn\": [\"RESOURCE_EXHAUSTED\"]}}");
        join(retry.intercept(CALL, cluster)); // UNAVAILABLE is no longer retried
        assertThat(down.calls()).isEqualTo(5);
        down.answering(notRun(Status.Code.RESOURCE_EXHAUSTED));
        join(retry.intercept(CALL, cluster));
        assertThat(down.calls()).isEqualTo(10);
    }

    @Test
    void forkingAnswersWithTheFirstSuccessFromDistinctEndpoints() {
        // "fast" is 300 ms so that all three forks are out before it answers, even on a slow machine.
        FakeEndpoint slow = FakeEndpoint.of(1).answering(r -> delayed(RpcResponse.ok(Payload.of("slow")), 10_000));
        FakeEndpoint failing = FakeEndpoint.of(2).answering(notRun(Status.Code.UNAVAILABLE));
        FakeEndpoint fast = FakeEndpoint.of(3).answering(r -> delayed(RpcResponse.ok(Payload.of("fast")), 300));
        ForkingInterceptor forking = new ForkingInterceptor(3);
        long start = System.nanoTime();
        RpcResponse r = join(forking.intercept(CALL, FakeCluster.of(List.of(slow, failing, fast))));
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertThat(r.payload()).isEqualTo(Payload.of("fast"));
        assertThat(tookMs).isLessThan(5_000);
        assertThat(List.of(slow.calls(), failing.calls(), fast.calls())).containsOnly(1);
        // Fork i avoided the endpoints of forks 1..i-1.
        java.util.Map<Integer, String> byAttempt = new java.util.TreeMap<>();
        java.util.Map<Integer, Set<String>> triedByAttempt = new java.util.TreeMap<>();
        for (FakeEndpoint e : List.of(slow, failing, fast)) {
            RpcRequest fork = e.received().get(0);
            byAttempt.put(
                    fork.attributes().get(CallAttributes.ATTEMPT), e.instance().id());
            triedByAttempt.put(
                    fork.attributes().get(CallAttributes.ATTEMPT),
                    fork.attributes().get(CallAttributes.TRIED_ENDPOINTS));
        }
        assertThat(byAttempt).containsOnlyKeys(1, 2, 3);
        assertThat(triedByAttempt.get(1)).isEmpty();
        assertThat(triedByAttempt.get(2)).containsExactly(byAttempt.get(1));
        assertThat(triedByAttempt.get(3)).containsExactlyInAnyOrder(byAttempt.get(1), byAttempt.get(2));
    }

    @Test
    void forkingAnswersWithTheLastFailureWhenAllFail() {
        FakeEndpoint a = FakeEndpoint.of(1).answering(notRun(Status.Code.UNAVAILABLE));
        FakeEndpoint b = FakeEndpoint.of(2).answering(r -> delayed(failure(Status.Code.INTERNAL), 20));
        RpcResponse r = join(new ForkingInterceptor(2).intercept(CALL, FakeCluster.of(List.of(a, b))));
        assertThat(r.status().code()).isEqualTo(Status.Code.INTERNAL);
    }

    @Test
    void failfastTriesOnceAndFailsafeAnswersWithItsDefault() {
        FakeEndpoint down = FakeEndpoint.of(1).answering(notRun(Status.Code.UNAVAILABLE));
        Invoker cluster = FakeCluster.of(List.of(down));
        assertThat(join(FailfastInterceptor.INSTANCE.intercept(CALL, cluster))
                        .status()
                        .code())
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(down.calls()).isEqualTo(1);

        AtomicInteger defaults = new AtomicInteger();
        FailsafeInterceptor failsafe = new FailsafeInterceptor(req -> {
            defaults.incrementAndGet();
            return RpcResponse.ok(Payload.of("default"));
        });
        assertThat(join(failsafe.intercept(CALL, cluster)).payload()).isEqualTo(Payload.of("default"));
        assertThat(down.calls()).isEqualTo(2);
        down.answering(RpcResponse.ok(Payload.of("real")));
        assertThat(join(failsafe.intercept(CALL, cluster)).payload()).isEqualTo(Payload.of("real"));
        assertThat(defaults).hasValue(1);
    }

    @Test
    void aThrowingInvokerBecomesAFailedResponse() {
        Invoker broken = request -> {
            throw new IllegalStateException("boom");
        };
        RpcResponse r = join(new RetryInterceptor(FAST, store, ticker).intercept(CALL, broken));
        assertThat(r.status().code()).isEqualTo(Status.Code.UNKNOWN);
        assertThat(r.status().description()).contains("boom");
    }

    private CompletableFuture<RpcResponse> delayed(RpcResponse response, long millis) {
        CompletableFuture<RpcResponse> f = new CompletableFuture<>();
        timer.schedule(() -> f.complete(response), millis, TimeUnit.MILLISECONDS);
        return f;
    }
}
