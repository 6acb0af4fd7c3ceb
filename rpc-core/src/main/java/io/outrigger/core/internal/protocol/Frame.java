package io.outrigger.core.internal.protocol;

import io.outrigger.core.Metadata;

/**
 * One decoded frame: everything a handler needs, already copied out of Netty's buffers, so that no
 * reference-counted object leaves the decoder.
 *
 * @param flags the flag bits ({@link FrameFlags})
 * @param serializerId the payload's serializer (0: none / UTF-8 text)
 * @param status the status code value (responses)
 * @param requestId the request id this frame belongs to
 * @param timeoutMicros remaining time of a request in microseconds; 0 = no deadline
 * @param service the service name (requests), else empty
 * @param method the method name (requests), else empty
 * @param metadata string headers
 * @param body the payload bytes (for failed responses, the UTF-8 description)
 */
public record Frame(
        int flags,
        byte serializerId,
        int status,
        int requestId,
        long timeoutMicros,
        String service,
        String method,
        Metadata metadata,
        byte[] body) {

    public boolean isResponse() {
        return (flags & FrameFlags.RESPONSE) != 0;
    }

    public boolean isHeartbeat() {
        return (flags & FrameFlags.HEARTBEAT) != 0;
    }

    public boolean isGoAway() {
        return (flags & FrameFlags.GOAWAY) != 0;
    }

    public boolean isCancel() {
        return (flags & FrameFlags.CANCEL) != 0;
    }
}
