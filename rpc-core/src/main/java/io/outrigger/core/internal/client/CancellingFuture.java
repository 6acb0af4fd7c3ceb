package io.outrigger.core.internal.client;

import io.outrigger.core.Status;
import io.outrigger.core.internal.Cancellation;
import java.util.concurrent.CompletableFuture;

/**
 * The future a caller holds for one call: cancelling it cancels the call (a plain derived stage
 * would complete {@code CANCELLED} alone while the call runs on). Proxies and generic invokers
 * hand these out.
 */
class CancellingFuture<T> extends CompletableFuture<T> {

    private final Cancellation cancellation;
    private final String what;

    /** @param what the call, {@code service/method}, for the reason the provider is told */
    CancellingFuture(Cancellation cancellation, String what) {
        this.cancellation = cancellation;
        this.what = what;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            cancellation.cancel(Status.CANCELLED.withDescription(what + ": cancelled by the caller"));
        }
        return cancelled;
    }
}
