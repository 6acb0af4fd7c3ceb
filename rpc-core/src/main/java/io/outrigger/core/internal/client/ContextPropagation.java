package io.outrigger.core.internal.client;

import io.outrigger.core.Attributes;
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
 * The outermost client step: a call made while serving another ({@link CallContext#current()})
 * inherits from it. Its deadline is capped by the served call's remaining time minus a margin (it
 * may ask for less, never more); the allow-listed metadata keys the request does not set itself
 * are copied; and it is cancelled when the served call is. Nothing else is copied, and a call made
 * with no current context (or with {@link CallAttributes#PROPAGATE_CONTEXT} false) is left as it is.
 */
public final class ContextPropagation implements Interceptor {

    private final long marginNanos;
    private final String[] keys;

    /**
     * @param margin subtracted from the served call's remaining time (room for the answer to travel back)
     * @param keys the metadata keys copied from the served call's request
     */
    public ContextPropagation(java.time.Duration margin, List<String> keys) {
        this.marginNanos = margin.toNanos();
        this.keys = keys.toArray(String[]::new);
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        CallContext served = CallContext.current();
        if (served == null || Boolean.FALSE.equals(request.attributes().get(CallAttributes.PROPAGATE_CONTEXT))) {
            return next.invoke(request);
        }
        return next.invoke(inherit(served, request));
    }

    private RpcRequest inherit(CallContext served, RpcRequest request) {
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
        Attributes attributes = request.attributes();
        Cancellation servedCancellation = served.attributes().get(Cancellation.KEY);
        if (servedCancellation != null) {
            Cancellation own = attributes.get(Cancellation.KEY);
            if (own == null) {
                own = new Cancellation();
                attributes = attributes.with(Cancellation.KEY, own);
            }
            Cancellation downstream = own;
            String what = request.fullMethodName();
            servedCancellation.onCancel(reason -> downstream.cancel(Status.CANCELLED.withDescription(what
                    + ": the call it was made for was cancelled (" + reason.code() + ": " + reason.description()
                    + ")")));
        }
        return new RpcRequest(request.service(), request.method(), metadata, deadline, request.payload(), attributes);
    }
}
