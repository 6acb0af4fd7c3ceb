package io.outrigger.sidecar.internal;

import io.outrigger.core.Status;

/**
 * Status codes to HTTP statuses and back: the table of the sidecar contract ({@code docs/sidecar.md}).
 */
public final class StatusMapping {

    private StatusMapping() {}

    /**
     * The HTTP status of a failed call: INVALID_ARGUMENT 400, UNAUTHENTICATED 401, PERMISSION_DENIED
     * 403, NOT_FOUND and UNIMPLEMENTED 404, RESOURCE_EXHAUSTED 429, UNAVAILABLE 503,
     * DEADLINE_EXCEEDED 504, OK 200, every other code 500.
     */
    public static int httpStatus(Status.Code code) {
        return switch (code) {
            case OK -> 200;
            case INVALID_ARGUMENT -> 400;
            case UNAUTHENTICATED -> 401;
            case PERMISSION_DENIED -> 403;
            case NOT_FOUND, UNIMPLEMENTED -> 404;
            case RESOURCE_EXHAUSTED -> 429;
            case UNAVAILABLE -> 503;
            case DEADLINE_EXCEEDED -> 504;
            default -> 500;
        };
    }

    /**
     * The status code of a non-2xx answer from an exported app that did not name one in a JSON body:
     * the inverse of {@link #httpStatus} where it is one to one, 404 as UNIMPLEMENTED (no such
     * route), 408 as DEADLINE_EXCEEDED, 413 as RESOURCE_EXHAUSTED, 502 as UNAVAILABLE, 501 as
     * UNIMPLEMENTED, anything else as UNKNOWN.
     */
    public static Status.Code fromHttpStatus(int httpStatus) {
        return switch (httpStatus) {
            case 400, 415, 422 -> Status.Code.INVALID_ARGUMENT;
            case 401 -> Status.Code.UNAUTHENTICATED;
            case 403 -> Status.Code.PERMISSION_DENIED;
            case 404, 405, 501 -> Status.Code.UNIMPLEMENTED;
            case 408, 504 -> Status.Code.DEADLINE_EXCEEDED;
            case 409 -> Status.Code.ABORTED;
            case 413, 429 -> Status.Code.RESOURCE_EXHAUSTED;
            case 502, 503 -> Status.Code.UNAVAILABLE;
            default -> Status.Code.UNKNOWN;
        };
    }

    /** The code named {@code name} (e.g. {@code "NOT_FOUND"}, any case), or {@code null}. */
    public static Status.Code codeNamed(String name) {
        if (name == null) {
            return null;
        }
        try {
            return Status.Code.valueOf(name.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
