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
    /**
     * The frame belongs to a stream (see {@code docs/protocol.md}, Streams): a request frame with a
     * path opens one; without a path, and every response frame, it carries a message, a window or the
     * end of one side.
     */
    public static final int STREAM = 0x20;
    /** With {@link #STREAM}: the sender sends no more messages on this stream (a server's ends it, with a status). */
    public static final int END = 0x40;
    /**
     * With {@link #STREAM}: a window update; the body is a 4-byte count of further messages the sender
     * of this frame accepts.
     */
    public static final int WINDOW = 0x80;
    /** Bits that must be zero in version 1 (0x04 was once meant for one-way calls, never implemented). */
    public static final int RESERVED = 0x04;

    private FrameFlags() {}
}
