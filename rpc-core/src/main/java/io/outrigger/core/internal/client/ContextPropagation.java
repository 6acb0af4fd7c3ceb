package io.outrigger.core.internal.client;

import io.outrigger.core.CallAttributes;
import io.outrigger.core.CallContext;
import io.outrigger.core.Deadline;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.Metadata;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.internal.Cancellation;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The outermost client step. Every call gets a {@link Cancellation} here unless its proxy made one:
 * a generic call's future ({@code RpcClient.invoker(...).invoke(...)}) then cancels the call when
 * cancelled, as a proxy's does.
 *
 * <p>And, unless propagation is off, a call made while serving another ({@link CallContext#current()})
 * inherits from it. Its deadline is capped by the served call's remaining time minus a margin (it
 * may ask for less, never more); the allow-listed metadata keys the request does not set itself
 * are copied; and it is cancelled when the served call is. Nothing else is copied, and a call made
 * with no current context (or with {@link CallAttributes#PROPAGATE_CONTEXT} false) is left as it is.
 */
public final class ContextPropagation implements Interceptor {

    private final boolean propagate;
    private final long marginNanos;
    private final String[] keys;

    /**
     * @param propagate whether calls inherit from the call being served at all
     * @param margin subtracted from the served call's remaining time (room for the answer to travel back)
     * @param keys the metadata keys copied from the served call's request
     */
    public ContextPropagation(boolean propagate, java.time.Duration margin, List<String> keys) {
        this.propagate = propagate;
        this.marginNanos = margin.toNanos();
        this.keys = keys.toArray(String[]::new);
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        Cancellation own = request.attributes().get(Cancellation.KEY);
        boolean generic = own == null;
        if (generic) {
            own = new Cancellation();
            request = request.withAttribute(Cancellation.KEY, own);
        }
        CallContext served = propagate ? CallContext.current() : null;
        if (served != null && !Boolean.FALSE.equals(request.attributes().get(CallAttributes.PROPAGATE_CONTEXT))) {
            request = inherit(served, request, own);
        }
        CompletionStage<RpcResponse> result = next.invoke(request);
        return generic ? new CancellableCall(result, own, request.fullMethodName()) : result;
    }

    /** The future of a generic call: the chain's outcome, and cancelling it cancels the call. */
    private static final class CancellableCall extends CancellingFuture<RpcResponse> {

        CancellableCall(CompletionStage<RpcResponse> result, Cancellation cancellation, String what) {
            super(cancellation, what);
            result.whenComplete((response, error) -> {
                if (error == null) {
                    complete(response);
                } else {
                    completeExceptionally(error);
                }
            });
        }
    }

    private RpcRequest inherit(CallContext served, RpcRequest request, Cancellation own) {
        Deadline deadline = request.deadline();
        if (!served.deadline().isNone()) {
            deadline = deadline.min(Deadline.afterNanos(served.deadline().remainingNanos() - marginNanos));
        }
        Metadata metadata = request.metadata();
        for (String key : keys) {
            String value = served.metadata().get(key);
            if (value != null && !metadata.contains(key)) {
                metadata = metadata.with(key, value);
            }
        }
        Cancellation servedCancellation = served.attributes().get(Cancellation.KEY);
        if (servedCancellation != null) {
            Cancellation downstream = own;
            String what = request.fullMethodName();
            servedCancellation.onCancel(reason -> downstream.cancel(Status.CANCELLED.withDescription(what
                    + ": the call it was made for was cancelled (" + reason.code() + ": " + reason.description()
                    + ")")));
        }
        return new RpcRequest(
                request.service(), request.method(), metadata, deadline, request.payload(), request.attributes());
    }
}
