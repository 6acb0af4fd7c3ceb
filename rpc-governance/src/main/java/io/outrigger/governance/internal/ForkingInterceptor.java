package io.outrigger.governance.internal;

import io.outrigger.core.CallAttributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Forking: sends each call to {@code forks} endpoints at once and answers with the first success;
 * if all fail, with the failure that came last. Trades load for tail latency, so use it only for
 * cheap, idempotent reads.
 *
 * <p>Fork {@code i} carries {@code ATTEMPT = i} and, in {@code TRIED_ENDPOINTS}, the endpoints the
 * earlier forks were sent to, so the forks spread over different endpoints (when the cluster invoker
 * picks synchronously inside {@code invoke}, as Outrigger's does; otherwise forks may share one).
 * Forks do not draw on the retry budget: the extra load is the explicit price of this strategy.
 * Losing forks are not cancelled; their answers are ignored. Thread-safe.
 */
public final class ForkingInterceptor implements Interceptor {

    private final int forks;

    /** Sends each call {@code forks} times (2..10). */
    public ForkingInterceptor(int forks) {
        this.forks = forks;
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        CompletableFuture<RpcResponse> result = new CompletableFuture<>();
        AtomicInteger pending = new AtomicInteger(forks);
        AtomicReference<RpcResponse> lastFailure = new AtomicReference<>();
        Set<String> tried = new HashSet<>();
        for (int i = 1; i <= forks && !result.isDone(); i++) {
            AttemptRecord record = new AttemptRecord();
            RpcRequest fork = request.withAttributes(request.attributes()
                    .with(CallAttributes.ATTEMPT, i)
                    .with(CallAttributes.TRIED_ENDPOINTS, Set.copyOf(tried))
                    .with(AttemptRecord.KEY, record));
            Calls.invoke(next, fork).thenAccept(response -> {
                if (response.isOk()) {
                    result.complete(response);
                } else {
                    lastFailure.set(response);
                    if (pending.decrementAndGet() == 0) {
                        result.complete(lastFailure.get());
                    }
                }
            });
            String id = record.endpointId();
            if (id != null) {
                tried.add(id);
            }
        }
        return result;
    }

    @Override
    public String toString() {
        return "forking(" + forks + ")";
    }
}
