package io.outrigger.benchmarks;

import com.google.protobuf.ByteString;
import io.outrigger.benchmarks.proto.Chunk;
import java.util.Arrays;
import java.util.Random;

/**
 * The streaming calls a benchmark client makes, all served by {@code StreamBenchService} (see
 * {@code user_service.proto}):
 *
 * <ul>
 *   <li>{@code stream-small} and {@code stream-user}: server streaming; the client asks for
 *       {@link #MESSAGES_PER_STREAM} {@code Tick}s (a sequence number) or {@code User}s and takes
 *       them as fast as they come; the server builds each message fresh.
 *   <li>{@code pingpong}: one bidirectional stream; the client sends a {@code Tick}, waits for the
 *       server's answer (the same sequence number), and sends the next.
 *   <li>{@code upload1m}: client streaming; the client sends {@link #CHUNKS_PER_UPLOAD} chunks of 1
 *       MiB, the server counts them and answers once at the end.
 * </ul>
 */
public enum StreamWorkload {
    /** Server streaming of a small message. */
    STREAM_SMALL("stream-small"),
    /** Server streaming of the benchmark's {@code User} (12 fields, 15 permissions). */
    STREAM_USER("stream-user"),
    /** A message sent, its answer awaited, repeated on one bidirectional stream. */
    PING_PONG("pingpong"),
    /** An upload of 1 MiB chunks on a client stream, answered once. */
    UPLOAD_1M("upload1m");

    /**
     * Messages a server stream carries before it ends (the client then opens the next one). Large
     * enough that opening a stream is a small share of its cost; the client cancels the streams
     * still open when a measurement ends.
     */
    public static final int MESSAGES_PER_STREAM = 1_000_000;

    /** Chunks of one upload: 64 MiB, after which the client starts the next upload. */
    public static final int CHUNKS_PER_UPLOAD = 64;

    /** The size of one upload chunk. */
    public static final int CHUNK_BYTES = 1024 * 1024;

    private static final Chunk CHUNK;

    static {
        byte[] data = new byte[CHUNK_BYTES];
        new Random(2).nextBytes(data);
        CHUNK = Chunk.newBuilder().setData(ByteString.copyFrom(data)).build();
    }

    private final String label;

    StreamWorkload(String label) {
        this.label = label;
    }

    /** The name used on the command line and in reports, e.g. {@code stream-small}. */
    public String label() {
        return label;
    }

    /** Whether the server streams (one request, many answers). */
    public boolean isServerStreaming() {
        return this == STREAM_SMALL || this == STREAM_USER;
    }

    /** The 1 MiB chunk every upload sends (shared, immutable). */
    public static Chunk chunk() {
        return CHUNK;
    }

    /** Parses a label ({@code stream-small}) or an enum name ({@code STREAM_SMALL}), ignoring case. */
    public static StreamWorkload parse(String text) {
        for (StreamWorkload w : values()) {
            if (w.label.equalsIgnoreCase(text) || w.name().equalsIgnoreCase(text)) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown streaming workload: " + text + " (expected one of "
                + String.join(
                        ", ", Arrays.stream(values()).map(StreamWorkload::label).toList())
                + ")");
    }
}
