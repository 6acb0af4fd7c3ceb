package io.outrigger.observability.internal;

import io.opentelemetry.context.Context;
import io.outrigger.core.Attributes;
import io.outrigger.core.cluster.Endpoint;

/**
 * Per-call tracing state carried on the request (never in a thread-local): the context of the client
 * call span, so attempt spans find their parent even when a retry runs on another thread, and the
 * endpoint of the latest attempt, so the call span can name the server it ended on.
 *
 * <p>Written by attempt interceptors (one at a time: attempts of a call are sequential), read when
 * the call ends; the fields are volatile for the hand-offs between threads.
 */
public final class CallState {

    /** The key of this state in {@link io.outrigger.core.RpcRequest#attributes()}. */
    public static final Attributes.Key<CallState> KEY = Attributes.Key.of("outrigger-otel-call", CallState.class);

    private final Context context;
    private volatile Endpoint lastEndpoint;
    private volatile int attempts;

    CallState(Context context) {
        this.context = context;
    }

    /** The context holding the client call span. */
    public Context context() {
        return context;
    }

    void attempt(Endpoint endpoint, int number) {
        lastEndpoint = endpoint;
        attempts = Math.max(attempts, number);
    }

    Endpoint lastEndpoint() {
        return lastEndpoint;
    }

    int attempts() {
        return attempts;
    }
}
