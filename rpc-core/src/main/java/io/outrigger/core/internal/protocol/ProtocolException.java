package io.outrigger.core.internal.protocol;

/**
 * The peer broke the wire protocol (bad magic, unknown version or flags, lengths that disagree, a
 * declared size beyond what may even be discarded). The connection is closed; the message is logged.
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message, null, false, false);
    }
}
