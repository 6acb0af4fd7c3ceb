package io.outrigger.core.internal.protocol;

/** The bits of the header's flags byte. See {@code docs/protocol.md}. */
public final class FrameFlags {
    /** Set on responses, clear on requests. */
    public static final int RESPONSE = 0x01;
    /** A heartbeat: no path, no metadata, no body. Requests are answered with a heartbeat response. */
    public static final int HEARTBEAT = 0x02;
    /** A request that wants no response. */
    public static final int ONE_WAY = 0x04;
    /** Sent by a server that is shutting down: send no new requests on this connection. */
    public static final int GOAWAY = 0x08;
    /** Bits that must be zero in version 1. */
    public static final int RESERVED = 0xF0;

    private FrameFlags() {}
}
