package io.outrigger.core;

/**
 * The local cause of a call that found no provider to send it to: none registered, none matching
 * the routers (a version or group nobody serves), or all of them unavailable. It did not run, but
 * another attempt would meet the same list: failover does not retry it.
 */
public final class NoProviderException extends RequestNotRunException {
    private static final long serialVersionUID = 1L;

    public NoProviderException(String message) {
        super(message);
    }

    /** Whether {@code status} says the call found no provider to go to. */
    public static boolean noProvider(Status status) {
        return status.cause() instanceof NoProviderException;
    }
}
