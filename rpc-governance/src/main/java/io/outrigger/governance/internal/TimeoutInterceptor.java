package io.outrigger.governance.internal;

import io.outrigger.core.CallAttributes;
import io.outrigger.core.Deadline;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Gives each call a deadline: the earlier of the caller's own and {@code now + timeout}, where the
 * timeout comes from the service's rules ({@code "timeouts"}, by method, then {@code "*"}), else the
 * one configured in code. Sits above the retry layer, so the timeout bounds the whole call,
 * retries included. The transport fails a call whose deadline passes with {@code DEADLINE_EXCEEDED}.
 * Thread-safe.
 */
public final class TimeoutInterceptor implements Interceptor {

    private final Duration timeout;
    private final RuleStore store;

    /** Applies {@code timeout} ({@code null}: none) unless the rules in {@code store} give one. */
    public TimeoutInterceptor(Duration timeout, RuleStore store) {
        this.timeout = timeout;
        this.store = store;
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        if (CallAttributes.isStream(request)) {
            return next.invoke(request); // a stream lasts as long as both sides want: its deadline is its own
        }
        long ms = store.current(request.service()).timeoutMillis(request.method());
        Deadline d;
        if (ms > 0) {
            d = Deadline.after(Duration.ofMillis(ms));
        } else if (timeout != null) {
            d = Deadline.after(timeout);
        } else {
            return next.invoke(request);
        }
        Deadline effective = request.deadline().min(d);
        return next.invoke(effective == request.deadline() ? request : request.withDeadline(effective));
    }

    @Override
    public String toString() {
        return "timeout(" + (timeout == null ? "from rules" : timeout) + ")";
    }
}
