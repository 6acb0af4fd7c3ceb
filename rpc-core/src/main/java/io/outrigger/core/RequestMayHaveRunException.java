package io.outrigger.core;

/**
 * The local cause attached to an {@code UNAVAILABLE} status when a connection broke after the
 * request was sent: the provider may or may not have run it. Retry policies retry such calls only
 * for idempotent methods; an {@code UNAVAILABLE} without this cause means the request never ran.
 */
public final class RequestMayHaveRunException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RequestMayHaveRunException(String message) {
        super(message, null, false, false);
    }

    /** Whether {@code status} says the request may have run before it failed. */
    public static boolean mayHaveRun(Status status) {
        return status.cause() instanceof RequestMayHaveRunException;
    }
}
