package io.outrigger.core.internal.protocol;

/** The bits of the header's flags byte. See {@code docs/protocol.md}. */
public final class FrameFlags {
    /** Set on responses, clear on requests. */
    public static final int RESPONSE = 0x01;
    /** A heartbeat: no path, no metadata, no body. Requests are answered with a heartbeat response. */
    public static final int HEARTBEAT = 0x02;
    /** Sent by a server that is shutting down: send no new requests on this connection. */
    public static final int GOAWAY = 0x08;
    /**
     * Sent by a client: stop the call with this request id and send no answer (body: an optional
     * UTF-8 reason). No path, no metadata.
     */
    public static final int CANCEL = 0x10;
    /** Bits that must be zero in version 1 (0x04 was once meant for one-way calls, never implemented). */
    public static final int RESERVED = 0xE4;

    private FrameFlags() {}
}
