package io.outrigger.core;

import java.util.Objects;

/**
 * The outcome of one call: a {@link Status}, response {@link Metadata}, and the reply {@link
 * Payload} (empty unless the status is OK).
 *
 * <p>Failures are values: every error an Outrigger component detects (no provider, deadline, full
 * executor, decoding error) becomes a response with a non-OK status rather than an exception.
 *
 * @param status the outcome
 * @param metadata headers sent back with the response
 * @param payload the reply; {@link Payload#EMPTY} on failure
 */
public record RpcResponse(Status status, Metadata metadata, Payload payload) {

    public RpcResponse {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(payload, "payload");
    }

    /** A successful response carrying {@code payload}. */
    public static RpcResponse ok(Payload payload) {
        return new RpcResponse(Status.OK, Metadata.empty(), payload);
    }

    /** A failed response with {@code status} (which must not be OK). */
    public static RpcResponse failure(Status status) {
        if (status.isOk()) {
            throw new IllegalArgumentException("status: OK (expected: a failure)");
        }
        return new RpcResponse(status, Metadata.empty(), Payload.EMPTY);
    }

    /** A failed response with {@code code} and {@code description}. */
    public static RpcResponse failure(Status.Code code, String description) {
        return failure(Status.of(code).withDescription(description));
    }

    public boolean isOk() {
        return status.isOk();
    }

    public RpcResponse withMetadata(Metadata metadata) {
        return new RpcResponse(status, metadata, payload);
    }
}
