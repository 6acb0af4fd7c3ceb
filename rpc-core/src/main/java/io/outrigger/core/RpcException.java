package io.outrigger.core;

/**
 * The one exception type of a failed call, carrying its {@link Status}. Proxies throw it (or
 * complete their futures with it) when a call ends with a status other than {@link Status#OK}.
 */
public class RpcException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Status status;

    public RpcException(Status status) {
        super(status.toString(), status.cause());
        this.status = status;
    }

    /** An exception for {@code status}. */
    public static RpcException of(Status status) {
        return new RpcException(status);
    }

    public Status status() {
        return status;
    }
}
