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

    /** Whether this frame belongs to a stream (opens one, or carries a message, a window or an end). */
    public boolean isStream() {
        return (flags & FrameFlags.STREAM) != 0;
    }

    /** A stream frame with a path: the client opens the stream {@link #requestId}. */
    public boolean isStreamOpen() {
        return isStream() && !service.isEmpty();
    }

    /** A stream frame after which its sender sends no more messages. */
    public boolean isEnd() {
        return (flags & FrameFlags.END) != 0;
    }

    /** A stream's window update: {@link #window()} more messages may be sent to its sender. */
    public boolean isWindow() {
        return (flags & FrameFlags.WINDOW) != 0;
    }

    /** Whether this frame carries a message (serializer id other than 0, or a non-stream frame). */
    public boolean hasMessage() {
        return serializerId != 0;
    }

    /** The credit of a window update (1..2^31-1, checked by the decoder). */
    public int window() {
        return ((body[0] & 0xFF) << 24) | ((body[1] & 0xFF) << 16) | ((body[2] & 0xFF) << 8) | (body[3] & 0xFF);
    }
}
