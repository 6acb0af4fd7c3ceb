package io.outrigger.core.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.outrigger.core.Metadata;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.internal.protocol.FrameEncoder;
import io.outrigger.core.internal.protocol.ProtocolLimits;
import io.outrigger.serialization.Serializers;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded generator of hostile byte streams for the frame decoder and the server: valid frames made
 * by {@link FrameEncoder}, then mutated (flipped bits and bytes, lying lengths, truncated headers,
 * unknown flags, versions, serializer ids and statuses, huge or malformed metadata, bad paths,
 * inserted and deleted bytes) or replaced by garbage. Case {@code i} of seed {@code s} is always the
 * same stream, whatever thread asks for it, so any failure is reproducible from the pair.
 */
public final class FrameFuzzer {

    /** The mutations, in the order their ids appear in reports. */
    public enum Mutation {
        NONE,
        FLIP_BITS,
        FLIP_HEADER_BITS,
        OVERWRITE_BYTES,
        LIE_PATH_LENGTH,
        LIE_METADATA_LENGTH,
        LIE_BODY_LENGTH,
        TRUNCATE,
        RESERVED_FLAGS,
        RANDOM_FLAGS,
        UNKNOWN_VERSION,
        UNKNOWN_SERIALIZER_OR_STATUS,
        HUGE_METADATA,
        BAD_METADATA,
        BAD_PATH,
        INSERT_DELETE,
        GARBAGE
    }

    /** One generated stream: the frames it was built from (with their mutations) and its bytes. */
    public record Case(long index, List<Mutation> mutations, byte[] bytes) {
        /** The number of frames (mutated or not) in the stream. */
        public int frames() {
            return mutations.size();
        }

        @Override
        public String toString() {
            return "case " + index + " " + mutations + ": " + ByteBufUtil.hexDump(bytes, 0, Math.min(bytes.length, 256))
                    + (bytes.length > 256 ? "... (" + bytes.length + " bytes)" : "");
        }
    }

    private static final Mutation[] MUTATIONS = Mutation.values();
    /** The generator's own buffers need no leak tracking (the decoder's, which matter, keep theirs). */
    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false, true);

    private static final String[] SERVICES = {
        "test.EchoService", "test.ThriftEchoService", "demo.UserService", "x", "ü.ñ"
    };
    private static final String[] METHODS = {"echo", "echoAsync", "fail", "nope", "m"};

    private final long seed;
    private final ProtocolLimits limits;
    private final FrameEncoder encoder;

    /** Frames sized around {@code limits}, from {@code seed}. */
    public FrameFuzzer(long seed, ProtocolLimits limits) {
        this.seed = seed;
        this.limits = limits;
        this.encoder = new FrameEncoder(Serializers.defaults(), Integer.MAX_VALUE / 8);
    }

    /** Case {@code index}: one to four frames, each valid or mutated (about one in eight is left valid). */
    public Case next(long index) {
        SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        int n = 1 + r.nextInt(4);
        List<Mutation> mutations = new ArrayList<>(n);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            Mutation m = r.nextInt(8) == 0 ? Mutation.NONE : MUTATIONS[1 + r.nextInt(MUTATIONS.length - 1)];
            mutations.add(m);
            out.writeBytes(mutate(validFrame(r), m, r));
        }
        return new Case(index, List.copyOf(mutations), out.toByteArray());
    }

    /** A valid stream of {@code frames} valid frames (requests, responses, heartbeats, closing and cancel frames). */
    public byte[] validStream(SplittableRandom r, int frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < frames; i++) {
            out.writeBytes(validFrame(r));
        }
        return out.toByteArray();
    }

    /** One valid frame: mostly requests, then responses, heartbeats, closing, cancel and stream frames. */
    public byte[] validFrame(SplittableRandom r) {
        int kind = r.nextInt(14);
        ByteBuf buf;
        if (kind >= 11) {
            buf = streamFrame(r);
        } else if (kind < 6) {
            String service = SERVICES[r.nextInt(SERVICES.length)];
            String method = METHODS[r.nextInt(METHODS.length)];
            RpcRequest request = new RpcRequest(
                    service,
                    method,
                    metadata(r),
                    io.outrigger.core.Deadline.NONE,
                    payload(r),
                    io.outrigger.core.Attributes.empty());
            long timeout = r.nextInt(4) == 0 ? 0 : 1 + r.nextLong(0xFFFF_FFFFL);
            buf = encoder.request(ALLOC, 1 + r.nextInt(Integer.MAX_VALUE), request, timeout);
        } else if (kind < 8) {
            RpcResponse response = r.nextBoolean()
                    ? new RpcResponse(Status.OK, metadata(r), payload(r))
                    : RpcResponse.failure(Status.Code.fromValue(1 + r.nextInt(16)), randomString(r, 60));
            buf = encoder.response(ALLOC, r.nextInt(), response);
        } else if (kind < 9) {
            buf = FrameEncoder.heartbeat(ALLOC, r.nextInt(), r.nextBoolean());
        } else if (kind < 10) {
            buf = FrameEncoder.goAway(ALLOC, r.nextInt(), randomString(r, 30));
        } else {
            buf = FrameEncoder.cancel(ALLOC, 1 + r.nextInt(Integer.MAX_VALUE), randomString(r, 30));
        }
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** A valid stream frame: an opening, a message either way, a window update or an end. */
    private ByteBuf streamFrame(SplittableRandom r) {
        int id = 1 + r.nextInt(Integer.MAX_VALUE);
        return switch (r.nextInt(5)) {
            case 0 ->
                encoder.streamOpen(
                        ALLOC,
                        id,
                        new RpcRequest(
                                SERVICES[r.nextInt(SERVICES.length)],
                                METHODS[r.nextInt(METHODS.length)],
                                metadata(r),
                                io.outrigger.core.Deadline.NONE,
                                r.nextBoolean() ? payload(r) : Payload.EMPTY,
                                io.outrigger.core.Attributes.empty()),
                        r.nextInt(4) == 0 ? 0 : 1 + r.nextLong(0xFFFF_FFFFL),
                        r.nextBoolean());
            case 1 ->
                encoder.streamMessage(
                        ALLOC,
                        id,
                        Payload.of(EchoRequest.newBuilder()
                                .setText(randomString(r, 30))
                                .build()),
                        r.nextBoolean(),
                        r.nextInt(4) == 0);
            case 2 -> FrameEncoder.window(ALLOC, id, 1 + r.nextInt(Integer.MAX_VALUE), r.nextBoolean());
            case 3 -> encoder.streamMessage(ALLOC, id, Payload.EMPTY, false, true);
            default ->
                encoder.streamEnd(
                        ALLOC,
                        id,
                        r.nextBoolean()
                                ? new RpcResponse(Status.OK, metadata(r), Payload.EMPTY)
                                : RpcResponse.failure(Status.Code.fromValue(1 + r.nextInt(16)), randomString(r, 60)));
        };
    }

    private byte[] mutate(byte[] f, Mutation m, SplittableRandom r) {
        switch (m) {
            case NONE -> {
                return f;
            }
            case FLIP_BITS -> {
                for (int i = 1 + r.nextInt(8); i > 0; i--) {
                    int bit = r.nextInt(f.length * 8);
                    f[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                return f;
            }
            case FLIP_HEADER_BITS -> {
                for (int i = 1 + r.nextInt(3); i > 0; i--) {
                    int bit = r.nextInt(FrameEncoder.HEADER_LENGTH * 8);
                    f[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                return f;
            }
            case OVERWRITE_BYTES -> {
                for (int i = 1 + r.nextInt(6); i > 0; i--) {
                    f[r.nextInt(f.length)] = (byte) r.nextInt(256);
                }
                return f;
            }
            case LIE_PATH_LENGTH -> {
                putShort(f, 6, (int) lie(r, readUnsignedShort(f, 6), ProtocolLimits.MAX_PATH_LENGTH, 0xFFFF));
                return f;
            }
            case LIE_METADATA_LENGTH -> {
                putInt(f, 16, lie(r, readInt(f, 16), limits.maxMetadataSize(), 0xFFFF_FFFFL));
                return f;
            }
            case LIE_BODY_LENGTH -> {
                putInt(f, 20, lie(r, readInt(f, 20), limits.maxMessageSize(), 0xFFFF_FFFFL));
                return f;
            }
            case TRUNCATE -> {
                // Often inside the header, where the decoder must simply wait.
                int cut = r.nextBoolean() ? r.nextInt(FrameEncoder.HEADER_LENGTH) : r.nextInt(f.length);
                return Arrays.copyOf(f, cut);
            }
            case RESERVED_FLAGS -> {
                f[3] |= (byte) 0x04;
                return f;
            }
            case RANDOM_FLAGS -> {
                f[3] = (byte) r.nextInt(256); // CANCEL and the stream flags included
                return f;
            }
            case UNKNOWN_VERSION -> {
                f[2] = (byte) (r.nextBoolean() ? 0 : 2 + r.nextInt(254));
                return f;
            }
            case UNKNOWN_SERIALIZER_OR_STATUS -> {
                f[4 + r.nextInt(2)] = (byte) (3 + r.nextInt(253));
                return f;
            }
            case HUGE_METADATA -> {
                return withMetadata(f, hugeMetadata(r));
            }
            case BAD_METADATA -> {
                return withMetadata(f, badMetadata(r));
            }
            case BAD_PATH -> {
                return withPath(f, badPath(r));
            }
            case INSERT_DELETE -> {
                int at = r.nextInt(f.length + 1);
                if (r.nextBoolean() && at < f.length) {
                    int len = 1 + r.nextInt(Math.min(16, f.length - at));
                    byte[] g = new byte[f.length - len];
                    System.arraycopy(f, 0, g, 0, at);
                    System.arraycopy(f, at + len, g, at, f.length - at - len);
                    return g;
                }
                byte[] extra = new byte[1 + r.nextInt(16)];
                r.nextBytes(extra);
                byte[] g = new byte[f.length + extra.length];
                System.arraycopy(f, 0, g, 0, at);
                System.arraycopy(extra, 0, g, at, extra.length);
                System.arraycopy(f, at, g, at + extra.length, f.length - at);
                return g;
            }
            case GARBAGE -> {
                byte[] g = new byte[1 + r.nextInt(r.nextBoolean() ? 32 : 2048)];
                r.nextBytes(g);
                if (r.nextBoolean()) {
                    g[0] = 0x4F; // our magic, so the garbage reaches the length checks
                    if (g.length > 1) {
                        g[1] = 0x52;
                    }
                    if (g.length > 2) {
                        g[2] = 1;
                    }
                }
                return g;
            }
            default -> throw new AssertionError(m);
        }
    }

    /** A length near what is true, near the limit, zero, or absurd. */
    private static long lie(SplittableRandom r, long truth, long limit, long max) {
        long v = switch (r.nextInt(7)) {
            case 0 -> truth + 1 + r.nextInt(64);
            case 1 -> Math.max(0, truth - 1 - r.nextInt(64));
            case 2 -> 0;
            case 3 -> limit;
            case 4 -> limit + 1 + r.nextInt(64);
            case 5 -> r.nextLong(max + 1);
            default -> max;
        };
        return Math.min(v, max);
    }

    private Metadata metadata(SplittableRandom r) {
        Metadata md = Metadata.empty();
        for (int i = r.nextInt(5); i > 0; i--) {
            md = md.with(key(r), randomString(r, r.nextInt(8) == 0 ? 400 : 40));
        }
        return md;
    }

    private static Payload payload(SplittableRandom r) {
        switch (r.nextInt(4)) {
            case 0 -> {
                return Payload.of(
                        EchoRequest.newBuilder().setText(randomString(r, 30)).build());
            }
            case 1 -> {
                byte[] b = new byte[r.nextInt(200)];
                r.nextBytes(b);
                return Payload.encoded((byte) r.nextInt(3), b);
            }
            case 2 -> {
                byte[] b = new byte[r.nextInt(8)];
                r.nextBytes(b);
                return Payload.encoded((byte) 1, b);
            }
            default -> {
                return Payload.encoded((byte) 0, new byte[0]);
            }
        }
    }

    /** Metadata of many entries, its size just under, at or over the limit. */
    private byte[] hugeMetadata(SplittableRandom r) {
        int target = Math.max(8, limits.maxMetadataSize() + r.nextInt(-64, 65));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (out.size() < target) {
            byte[] key = ("k" + i++).getBytes(StandardCharsets.US_ASCII);
            int valueLength = Math.max(0, Math.min(r.nextInt(300), target - out.size() - key.length - 3));
            out.write(key.length);
            out.writeBytes(key);
            out.write(valueLength >>> 8);
            out.write(valueLength);
            out.writeBytes(ascii(r, valueLength));
        }
        return out.toByteArray();
    }

    /** Metadata that breaks its rules: zero-length or invalid keys, repeats, overrunning lengths, bad UTF-8. */
    private static byte[] badMetadata(SplittableRandom r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (r.nextInt(6)) {
            case 0 -> out.writeBytes(new byte[] {0, 0, 0}); // empty key
            case 1 -> entry(out, "UPPER".getBytes(StandardCharsets.US_ASCII), new byte[] {'v'});
            case 2 -> {
                entry(out, "dup".getBytes(StandardCharsets.US_ASCII), new byte[] {'1'});
                entry(out, "dup".getBytes(StandardCharsets.US_ASCII), new byte[] {'2'});
            }
            case 3 -> {
                out.write(3);
                out.writeBytes("key".getBytes(StandardCharsets.US_ASCII));
                out.write(0x7F);
                out.write(0xFF); // value longer than the section
                out.writeBytes(new byte[] {'x', 'y'});
            }
            case 4 -> entry(out, new byte[] {'k'}, new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xF0}); // bad UTF-8
            default -> {
                out.write(200); // key longer than the section
                out.writeBytes("short".getBytes(StandardCharsets.US_ASCII));
            }
        }
        return out.toByteArray();
    }

    private static void entry(ByteArrayOutputStream out, byte[] key, byte[] value) {
        out.write(key.length);
        out.writeBytes(key);
        out.write(value.length >>> 8);
        out.write(value.length);
        out.writeBytes(value);
    }

    private static byte[] badPath(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> "noslash".getBytes(StandardCharsets.UTF_8);
            case 1 -> "/method".getBytes(StandardCharsets.UTF_8);
            case 2 -> "service/".getBytes(StandardCharsets.UTF_8);
            case 3 -> new byte[] {'s', '/', (byte) 0xFF, (byte) 0xFE};
            case 4 -> ("a/".repeat(300) + "b").getBytes(StandardCharsets.UTF_8); // over 1 KiB: a protocol error
            default -> "s\n/m\u0000".getBytes(StandardCharsets.UTF_8);
        };
    }

    /** {@code f} (a request or response frame) with its metadata section replaced, lengths updated. */
    private static byte[] withMetadata(byte[] f, byte[] metadata) {
        int path = readUnsignedShort(f, 6);
        int oldMd = (int) readInt(f, 16);
        int body = (int) readInt(f, 20);
        if (f.length != FrameEncoder.HEADER_LENGTH + path + oldMd + body) {
            return f;
        }
        byte[] g = new byte[FrameEncoder.HEADER_LENGTH + path + metadata.length + body];
        System.arraycopy(f, 0, g, 0, FrameEncoder.HEADER_LENGTH + path);
        System.arraycopy(metadata, 0, g, FrameEncoder.HEADER_LENGTH + path, metadata.length);
        System.arraycopy(
                f,
                FrameEncoder.HEADER_LENGTH + path + oldMd,
                g,
                FrameEncoder.HEADER_LENGTH + path + metadata.length,
                body);
        putInt(g, 16, metadata.length);
        return g;
    }

    /** {@code f} with its path replaced (and made a request), lengths updated. */
    private static byte[] withPath(byte[] f, byte[] path) {
        int oldPath = readUnsignedShort(f, 6);
        int rest = f.length - FrameEncoder.HEADER_LENGTH - oldPath;
        if (rest < 0) {
            return f;
        }
        byte[] g = new byte[FrameEncoder.HEADER_LENGTH + path.length + rest];
        System.arraycopy(f, 0, g, 0, FrameEncoder.HEADER_LENGTH);
        System.arraycopy(path, 0, g, FrameEncoder.HEADER_LENGTH, path.length);
        System.arraycopy(f, FrameEncoder.HEADER_LENGTH + oldPath, g, FrameEncoder.HEADER_LENGTH + path.length, rest);
        g[3] = 0; // a request
        putShort(g, 6, path.length);
        return g;
    }

    private static String key(SplittableRandom r) {
        String chars = "abcdefghijklmnopqrstuvwxyz0123456789-_.";
        StringBuilder sb = new StringBuilder();
        for (int i = 1 + r.nextInt(20); i > 0; i--) {
            sb.append(chars.charAt(r.nextInt(chars.length())));
        }
        return sb.toString();
    }

    private static String randomString(SplittableRandom r, int max) {
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(max + 1); i > 0; i--) {
            int kind = r.nextInt(10);
            sb.appendCodePoint(
                    kind < 7 ? 32 + r.nextInt(95) : kind < 9 ? 0xA0 + r.nextInt(0x500) : 0x1F600 + r.nextInt(50));
        }
        return sb.toString();
    }

    private static byte[] ascii(SplittableRandom r, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (32 + r.nextInt(95));
        }
        return b;
    }

    private static int readUnsignedShort(byte[] f, int at) {
        return f.length < at + 2 ? 0 : ((f[at] & 0xFF) << 8) | (f[at + 1] & 0xFF);
    }

    private static long readInt(byte[] f, int at) {
        if (f.length < at + 4) {
            return 0;
        }
        return ((long) (f[at] & 0xFF) << 24)
                | ((f[at + 1] & 0xFF) << 16)
                | ((f[at + 2] & 0xFF) << 8)
                | (f[at + 3] & 0xFF);
    }

    private static void putShort(byte[] f, int at, int v) {
        if (f.length >= at + 2) {
            f[at] = (byte) (v >>> 8);
            f[at + 1] = (byte) v;
        }
    }

    private static void putInt(byte[] f, int at, long v) {
        if (f.length >= at + 4) {
            f[at] = (byte) (v >>> 24);
            f[at + 1] = (byte) (v >>> 16);
            f[at + 2] = (byte) (v >>> 8);
            f[at + 3] = (byte) v;
        }
    }
}
