package io.outrigger.core.internal.protocol;

/**
 * A frame whose declared metadata or body exceeded the limits. Its bytes were discarded as they
 * arrived, never buffered; the connection stays usable and the handler answers (or fails) the call.
 *
 * @param flags the frame's flags
 * @param requestId the request id the frame carried
 * @param reason what exceeded which limit, for the error message
 */
public record OversizedFrame(int flags, int requestId, String reason) {

    public boolean isResponse() {
        return (flags & FrameFlags.RESPONSE) != 0;
    }
}
