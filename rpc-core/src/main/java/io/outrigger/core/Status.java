package io.outrigger.core;

import java.util.Objects;

/**
 * The outcome of a call: a {@link Code} from one closed set aligned with gRPC's, an optional
 * description a person can act on, and an optional local cause (never sent over the wire).
 *
 * <p>Immutable and thread-safe. The {@code with*} methods return new instances.
 *
 * <pre>{@code
 * Status.UNAVAILABLE.withDescription("no provider of demo.UserService matches version=2.*")
 * }</pre>
 */
public final class Status {

    /**
     * The status codes, numbered as in gRPC so that other languages can map them one to one. Each
     * code says whether retrying the call on another provider is safe by default.
     */
    public enum Code {
        /** The call succeeded. */
        OK(0),
        /** The caller cancelled the call. Not retried. */
        CANCELLED(1),
        /** An error with no better code, e.g. an exception thrown by the service. Not retried. */
        UNKNOWN(2),
        /** The request is malformed (bad message bytes, bad JSON). Retrying cannot help. */
        INVALID_ARGUMENT(3),
        /**
         * The deadline passed before a reply arrived. The provider may still have done the work, so it
         * is retried only for idempotent methods.
         */
        DEADLINE_EXCEEDED(4),
        /** A requested entity does not exist. */
        NOT_FOUND(5),
        /** An entity the request creates exists already. */
        ALREADY_EXISTS(6),
        /** The caller is known but not allowed to make this call. */
        PERMISSION_DENIED(7),
        /**
         * A limit was hit: a full executor, a rate limit, a bulkhead, or a message over the size limit.
         * Answered at once instead of queueing.
         */
        RESOURCE_EXHAUSTED(8),
        /** The system is not in a state the call needs. */
        FAILED_PRECONDITION(9),
        /** The call was aborted, typically by a concurrency conflict. */
        ABORTED(10),
        /** An argument is outside the valid range. */
        OUT_OF_RANGE(11),
        /** The service or method does not exist on the provider. */
        UNIMPLEMENTED(12),
        /** A bug: an invariant was broken in Outrigger or in the service. */
        INTERNAL(13),
        /**
         * The provider cannot be reached or is shutting down. Safe to retry on another provider: the
         * request did not run.
         */
        UNAVAILABLE(14),
        /** Unrecoverable data loss. */
        DATA_LOSS(15),
        /** The caller's identity is missing or invalid. */
        UNAUTHENTICATED(16);

        private static final Code[] BY_VALUE = values();

        private final int value;

        Code(int value) {
            this.value = value;
        }

        /** The number of this code on the wire (as in gRPC). */
        public int value() {
            return value;
        }

        /** The status with this code and no description. */
        public Status toStatus() {
            return BY_CODE[ordinal()];
        }

        /** The code numbered {@code value}, or {@link #UNKNOWN} for a number outside the set. */
        public static Code fromValue(int value) {
            return value >= 0 && value < BY_VALUE.length ? BY_VALUE[value] : UNKNOWN;
        }
    }

    // Built here rather than in Code's constructor: otherwise touching Code before Status (say,
    // Code.valueOf) runs Status's initializer while Code's is unfinished, and Code.OK is still null.
    private static final Status[] BY_CODE = byCode();

    public static final Status OK = Code.OK.toStatus();
    public static final Status CANCELLED = Code.CANCELLED.toStatus();
    public static final Status UNKNOWN = Code.UNKNOWN.toStatus();
    public static final Status INVALID_ARGUMENT = Code.INVALID_ARGUMENT.toStatus();
    public static final Status DEADLINE_EXCEEDED = Code.DEADLINE_EXCEEDED.toStatus();
    public static final Status NOT_FOUND = Code.NOT_FOUND.toStatus();
    public static final Status ALREADY_EXISTS = Code.ALREADY_EXISTS.toStatus();
    public static final Status PERMISSION_DENIED = Code.PERMISSION_DENIED.toStatus();
    public static final Status RESOURCE_EXHAUSTED = Code.RESOURCE_EXHAUSTED.toStatus();
    public static final Status FAILED_PRECONDITION = Code.FAILED_PRECONDITION.toStatus();
    public static final Status ABORTED = Code.ABORTED.toStatus();
    public static final Status OUT_OF_RANGE = Code.OUT_OF_RANGE.toStatus();
    public static final Status UNIMPLEMENTED = Code.UNIMPLEMENTED.toStatus();
    public static final Status INTERNAL = Code.INTERNAL.toStatus();
    public static final Status UNAVAILABLE = Code.UNAVAILABLE.toStatus();
    public static final Status DATA_LOSS = Code.DATA_LOSS.toStatus();
    public static final Status UNAUTHENTICATED = Code.UNAUTHENTICATED.toStatus();

    private final Code code;
    private final String description;
    private final Throwable cause;

    private Status(Code code, String description, Throwable cause) {
        this.code = code;
        this.description = description;
        this.cause = cause;
    }

    private static Status[] byCode() {
        Code[] codes = Code.values();
        Status[] statuses = new Status[codes.length];
        for (int i = 0; i < codes.length; i++) {
            statuses[i] = new Status(codes[i], null, null);
        }
        return statuses;
    }

    /** The status with {@code code} and no description. */
    public static Status of(Code code) {
        return code.toStatus();
    }

    /**
     * The status best describing {@code t}: the status of an {@link RpcException}, otherwise {@link
     * #UNKNOWN} with the exception's class and message as description.
     */
    public static Status fromThrowable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RpcException e) {
                return e.status();
            }
        }
        String message = t.getMessage();
        return UNKNOWN.withDescription(t.getClass().getName() + (message == null ? "" : ": " + message))
                .withCause(t);
    }

    public Code code() {
        return code;
    }

    /** The description, or {@code null}. */
    public String description() {
        return description;
    }

    /** The local cause, or {@code null}. Never sent over the wire. */
    public Throwable cause() {
        return cause;
    }

    public boolean isOk() {
        return code == Code.OK;
    }

    /** This status with {@code description} instead of its own. */
    public Status withDescription(String description) {
        return Objects.equals(this.description, description) ? this : new Status(code, description, cause);
    }

    /** This status with {@code cause} instead of its own. */
    public Status withCause(Throwable cause) {
        return this.cause == cause ? this : new Status(code, description, cause);
    }

    /** An exception carrying this status. */
    public RpcException asException() {
        return new RpcException(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Status s && code == s.code && Objects.equals(description, s.description);
    }

    @Override
    public int hashCode() {
        return Objects.hash(code, description);
    }

    /** {@code CODE} or {@code CODE: description}. */
    @Override
    public String toString() {
        return description == null ? code.name() : code.name() + ": " + description;
    }
}
