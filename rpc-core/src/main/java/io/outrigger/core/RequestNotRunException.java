package io.outrigger.core;

/**
 * The local cause attached to a failure known not to have reached service code: the request was
 * never sent, or the provider refused it before running it (shutting down, a full executor, a limit,
 * an access rule, a deadline that expired while it was queued). Such a call may run elsewhere
 * whatever its method does, so retry policies retry it for every method; a failure without this
 * cause may have run and is retried only for idempotent methods.
 *
 * <p>Across the wire, a provider says "not run" with the response metadata entry {@value
 * #METADATA_KEY} (see {@code docs/protocol.md}); the client turns it back into this cause. Service
 * code cannot claim it: an {@link RpcException} thrown by a service method (say, passing on the
 * failure of a nested call) is sent without its cause, so it counts as "may have run".
 */
public class RequestNotRunException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The response metadata key by which a provider says it did not run the request. */
    public static final String METADATA_KEY = "outrigger-not-run";

    public RequestNotRunException(String message) {
        super(message, null, false, false);
    }

    /** {@code status} with this cause: known not to have run. */
    public static Status mark(Status status) {
        return status.withCause(new RequestNotRunException(status.description()));
    }

    /** Whether {@code status} says the request is known not to have run. */
    public static boolean notRun(Status status) {
        return status.cause() instanceof RequestNotRunException;
    }
}
