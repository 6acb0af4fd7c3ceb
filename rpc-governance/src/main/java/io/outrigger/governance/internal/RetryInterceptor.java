package io.outrigger.governance.internal;

import io.outrigger.core.CallAttributes;
import io.outrigger.core.Deadline;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.NoProviderException;
import io.outrigger.core.RequestMayHaveRunException;
import io.outrigger.core.RequestNotRunException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.governance.RetryPolicy;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failover: tries a failed call again on another endpoint, as the {@link RetryPolicy} (merged with
 * the service's live rules) allows.
 *
 * <p>Each attempt carries {@link CallAttributes#ATTEMPT} (1-based) and {@link
 * CallAttributes#TRIED_ENDPOINTS} (the endpoints earlier attempts went to, learnt through {@link
 * AttemptRecord}), and the call's deadline (or an earlier per-attempt one). No attempt starts once
 * the deadline has passed. Each call deposits into the service's {@link RetryBudget} and each retry
 * withdraws from it; when the budget is empty the last failure is returned, saying so. Between
 * attempts it waits the policy's jittered backoff (on a shared timer thread, never blocking the
 * caller), unless the deadline would pass first: then the last failure is returned, saying so.
 *
 * <p>Thread-safe; attempts run asynchronously, one after the other.
 */
public final class RetryInterceptor implements Interceptor {

    private static final Logger log = LoggerFactory.getLogger(RetryInterceptor.class);

    private final RetryPolicy base;
    private final RuleStore store;
    private final Ticker ticker;
    private final ConcurrentHashMap<String, ServiceState> services = new ConcurrentHashMap<>();

    /** Retries as {@code base} says, unless the rules in {@code store} say otherwise. */
    public RetryInterceptor(RetryPolicy base, RuleStore store, Ticker ticker) {
        this.base = base;
        this.store = store;
        this.ticker = ticker;
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        ServiceState state = services.get(request.service());
        if (state == null) {
            state = services.computeIfAbsent(request.service(), s -> new ServiceState(store.holder(s), ticker));
        }
        if (request.deadline().isExpired()) {
            return Calls.completed(RpcResponse.failure(Status.DEADLINE_EXCEEDED.withDescription(
                    "deadline of " + request.fullMethodName() + " expired before the first attempt")));
        }
        RetryPolicy policy = state.policy(base);
        state.budget.deposit();
        return attempt(1, request, Set.of(), policy, state.budget, next);
    }

    private CompletionStage<RpcResponse> attempt(
            int n, RpcRequest call, Set<String> tried, RetryPolicy policy, RetryBudget budget, Invoker next) {
        AttemptRecord record = new AttemptRecord();
        RpcRequest attempt = call.withAttributes(call.attributes()
                .with(CallAttributes.ATTEMPT, n)
                .with(CallAttributes.TRIED_ENDPOINTS, tried)
                .with(AttemptRecord.KEY, record));
        if (policy.attemptTimeout() != null) {
            attempt = attempt.withDeadline(call.deadline().min(Deadline.after(policy.attemptTimeout())));
        }
        return Calls.invoke(next, attempt).thenCompose(response -> {
            if (response.isOk() || n >= policy.maxAttempts() || !retryable(response.status(), call, policy)) {
                return Calls.completed(response);
            }
            if (call.deadline().isExpired()) {
                return Calls.completed(response);
            }
            long wait = policy.backoffNanos(n, ThreadLocalRandom.current().nextDouble());
            if (wait >= call.deadline().remainingNanos()) {
                return Calls.completed(Calls.annotate(
                        response,
                        "not retried: the deadline ends before the backoff of " + TimeUnit.NANOSECONDS.toMillis(wait)
                                + " ms"));
            }
            if (!budget.tryWithdraw(policy.budgetRatio(), policy.minRetriesPerSecond())) {
                log.debug("Not retrying {}: retry budget exhausted", call.fullMethodName());
                return Calls.completed(Calls.annotate(response, "not retried: retry budget exhausted"));
            }
            Set<String> nowTried = tried;
            String id = record.endpointId();
            if (id != null && !tried.contains(id)) {
                Set<String> s = new HashSet<>(tried);
                s.add(id);
                nowTried = Set.copyOf(s);
            }
            Set<String> retryTried = nowTried;
            if (wait <= 0) {
                return attempt(n + 1, call, retryTried, policy, budget, next);
            }
            return CompletableFuture.supplyAsync(
                            () -> null, CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS, Runnable::run))
                    .thenCompose(ignored -> attempt(n + 1, call, retryTried, policy, budget, next));
        });
    }

    /** Whether a call ending in {@code status} may be tried again under {@code policy}. */
    static boolean retryable(Status status, RpcRequest call, RetryPolicy policy) {
        if (NoProviderException.noProvider(status)) {
            return false; // routing found nobody: the next attempt would meet the same list
        }
        Status.Code code = status.code();
        boolean idempotent = Boolean.TRUE.equals(call.attributes().get(CallAttributes.IDEMPOTENT));
        if (idempotent) {
            // Running it twice is harmless: a call that may have run (a connection lost in flight) too.
            return RequestMayHaveRunException.mayHaveRun(status)
                    || policy.retryOn().contains(code)
                    || policy.retryIdempotentOn().contains(code);
        }
        // Only a failure known not to have reached service code may run elsewhere: an UNAVAILABLE
        // from the provider's own code (a nested call) or an application's 503 may have written data.
        return RequestNotRunException.notRun(status) && policy.retryOn().contains(code);
    }

    @Override
    public String toString() {
        return "failover(" + base + ")";
    }

    /** The budget and the effective policy of one service. */
    private static final class ServiceState {
        final RuleStore.Holder holder;
        final RetryBudget budget;
        /** The rules last seen and the policy merged from them, replaced together. */
        private volatile Merged merged;

        ServiceState(RuleStore.Holder holder, Ticker ticker) {
            this.holder = holder;
            this.budget = new RetryBudget(ticker);
        }

        RetryPolicy policy(RetryPolicy base) {
            ServiceRules rules = holder.rules();
            Merged m = merged;
            if (m == null || m.rules != rules) {
                m = new Merged(rules, Policies.merge(base, rules));
                merged = m;
            }
            return m.policy;
        }

        private record Merged(ServiceRules rules, RetryPolicy policy) {}
    }
}
