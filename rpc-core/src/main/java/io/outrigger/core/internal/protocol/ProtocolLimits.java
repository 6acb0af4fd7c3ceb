package io.outrigger.core.internal.protocol;

/**
 * Size limits applied by the decoder before it allocates anything.
 *
 * @param maxMessageSize the largest body accepted (default 4 MiB)
 * @param maxMetadataSize the largest metadata section accepted (default 8 KiB)
 */
public record ProtocolLimits(int maxMessageSize, int maxMetadataSize) {

    public static final int DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024;
    public static final int DEFAULT_MAX_METADATA_SIZE = 8 * 1024;
    /** The largest {@code service/method} path; longer is a protocol violation. */
    public static final int MAX_PATH_LENGTH = 1024;

    public static final ProtocolLimits DEFAULT =
            new ProtocolLimits(DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_METADATA_SIZE);

    public ProtocolLimits {
        if (maxMessageSize < 1) {
            throw new IllegalArgumentException("maxMessageSize: " + maxMessageSize + " (expected: >= 1)");
        }
        if (maxMetadataSize < 0 || maxMetadataSize > 1024 * 1024) {
            throw new IllegalArgumentException("maxMetadataSize: " + maxMetadataSize + " (expected: 0..1048576)");
        }
    }

    /**
     * Frames up to this many bytes past the header are discarded and answered when over the limits;
     * larger declared sizes close the connection (no honest peer sends them).
     */
    public long maxDiscardBytes() {
        return 4L * maxMessageSize + maxMetadataSize + MAX_PATH_LENGTH;
    }
}
