package io.outrigger.core.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.outrigger.core.Attributes;
import io.outrigger.core.Deadline;
import io.outrigger.core.Metadata;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.serialization.Serializers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    private static final FrameEncoder encoder = new FrameEncoder(Serializers.defaults(), 1024);
    private static final UnpooledByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;
    private static Map<String, byte[]> vectors;

    /** Reads the vectors from docs/protocol.md, so the document and the code cannot disagree. */
    @BeforeAll
    static void readVectors() throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "protocol.md"));
        vectors = new LinkedHashMap<>();
        Matcher m = Pattern.compile("```hex vector=(\\w+)\\n([0-9a-f]+)\\n```").matcher(doc);
        while (m.find()) {
            vectors.put(m.group(1), ByteBufUtil.decodeHexDump(m.group(2)));
        }
        assertThat(vectors)
                .containsOnlyKeys(
                        "request",
                        "ok",
                        "failure",
                        "heartbeat",
                        "goaway",
                        "cancel",
                        "stream_open",
                        "stream_window",
                        "stream_message",
                        "stream_end",
                        "stream_half_close");
    }

    @Test
    void requestVectorDecodesAndReencodes() {
        Frame f = decodeOne(vectors.get("request"));

        assertThat(f.isResponse()).isFalse();
        assertThat(f.requestId()).isEqualTo(1);
        assertThat(f.service()).isEqualTo("demo.Echo");
        assertThat(f.method()).isEqualTo("echo");
        assertThat(f.metadata().get("trace")).isEqualTo("abc");
        assertThat(f.timeoutMicros()).isEqualTo(1_500_000);
        assertThat(f.serializerId()).isEqualTo((byte) 1);
        assertThat(f.body()).containsExactly(0x0a, 0x02, 0x68, 0x69);

        RpcRequest request = new RpcRequest(
                f.service(),
                f.method(),
                f.metadata(),
                Deadline.NONE,
                Payload.encoded(f.serializerId(), f.body()),
                Attributes.empty());
        assertThat(bytes(encoder.request(alloc, f.requestId(), request, f.timeoutMicros())))
                .isEqualTo(vectors.get("request"));
    }

    @Test
    void responseVectorsDecodeAndReencode() {
        Frame ok = decodeOne(vectors.get("ok"));
        assertThat(ok.isResponse()).isTrue();
        assertThat(ok.status()).isZero();
        assertThat(ok.body()).containsExactly(0x0a, 0x02, 0x68, 0x69);
        assertThat(bytes(encoder.response(
                        alloc, ok.requestId(), RpcResponse.ok(Payload.encoded(ok.serializerId(), ok.body())))))
                .isEqualTo(vectors.get("ok"));

        Frame failure = decodeOne(vectors.get("failure"));
        assertThat(failure.requestId()).isEqualTo(2);
        assertThat(Status.Code.fromValue(failure.status())).isEqualTo(Status.Code.UNIMPLEMENTED);
        String description = new String(failure.body(), StandardCharsets.UTF_8);
        assertThat(description).isEqualTo("unknown method demo.Echo/nope");
        assertThat(bytes(encoder.response(
                        alloc, 2, RpcResponse.failure(Status.UNIMPLEMENTED.withDescription(description)))))
                .isEqualTo(vectors.get("failure"));
    }

    @Test
    void controlVectorsDecodeAndReencode() {
        Frame heartbeat = decodeOne(vectors.get("heartbeat"));
        assertThat(heartbeat.isHeartbeat()).isTrue();
        assertThat(heartbeat.isResponse()).isFalse();
        assertThat(heartbeat.requestId()).isEqualTo(7);
        assertThat(bytes(FrameEncoder.heartbeat(alloc, 7, false))).isEqualTo(vectors.get("heartbeat"));

        Frame goAway = decodeOne(vectors.get("goaway"));
        assertThat(goAway.isGoAway()).isTrue();
        assertThat(new String(goAway.body(), StandardCharsets.UTF_8)).isEqualTo("bye");
        assertThat(bytes(FrameEncoder.goAway(alloc, 0, "bye"))).isEqualTo(vectors.get("goaway"));
    }

    @Test
    void cancelVectorDecodesAndReencodes() {
        Frame cancel = decodeOne(vectors.get("cancel"));
        assertThat(cancel.isCancel()).isTrue();
        assertThat(cancel.isResponse()).isFalse();
        assertThat(cancel.requestId()).isEqualTo(1);
        assertThat(cancel.service()).isEmpty();
        assertThat(new String(cancel.body(), StandardCharsets.UTF_8)).isEqualTo("timeout");
        assertThat(bytes(FrameEncoder.cancel(alloc, 1, "timeout"))).isEqualTo(vectors.get("cancel"));
    }

    @Test
    void streamVectorsDecodeAndReencode() {
        Frame open = decodeOne(vectors.get("stream_open"));
        assertThat(open.isStreamOpen()).isTrue();
        assertThat(open.isEnd()).isTrue();
        assertThat(open.requestId()).isEqualTo(3);
        assertThat(open.service()).isEqualTo("demo.Feed");
        assertThat(open.method()).isEqualTo("prices");
        assertThat(open.timeoutMicros()).isZero();
        assertThat(open.body()).containsExactly(0x0a, 0x02, 0x68, 0x69);
        RpcRequest request = new RpcRequest(
                "demo.Feed",
                "prices",
                Metadata.empty(),
                Deadline.NONE,
                Payload.encoded(open.serializerId(), open.body()),
                Attributes.empty());
        assertThat(bytes(encoder.streamOpen(alloc, 3, request, 0, true))).isEqualTo(vectors.get("stream_open"));

        Frame window = decodeOne(vectors.get("stream_window"));
        assertThat(window.isWindow()).isTrue();
        assertThat(window.isResponse()).isFalse();
        assertThat(window.window()).isEqualTo(32);
        assertThat(bytes(FrameEncoder.window(alloc, 3, 32, false))).isEqualTo(vectors.get("stream_window"));

        Frame message = decodeOne(vectors.get("stream_message"));
        assertThat(message.isStream()).isTrue();
        assertThat(message.isStreamOpen()).isFalse();
        assertThat(message.isResponse()).isTrue();
        assertThat(message.hasMessage()).isTrue();
        assertThat(bytes(encoder.streamMessage(
                        alloc, 3, Payload.encoded(message.serializerId(), message.body()), true, false)))
                .isEqualTo(vectors.get("stream_message"));

        Frame end = decodeOne(vectors.get("stream_end"));
        assertThat(end.isEnd()).isTrue();
        assertThat(end.isResponse()).isTrue();
        assertThat(end.status()).isZero();
        assertThat(bytes(encoder.streamEnd(alloc, 3, RpcResponse.ok(Payload.EMPTY))))
                .isEqualTo(vectors.get("stream_end"));

        Frame halfClose = decodeOne(vectors.get("stream_half_close"));
        assertThat(halfClose.isEnd()).isTrue();
        assertThat(halfClose.isStreamOpen()).isFalse();
        assertThat(halfClose.hasMessage()).isFalse();
        assertThat(bytes(encoder.streamMessage(alloc, 5, Payload.EMPTY, false, true)))
                .isEqualTo(vectors.get("stream_half_close"));
    }

    @Test
    void brokenStreamFramesAreProtocolErrors() {
        byte[] zeroWindow = vectors.get("stream_window").clone();
        zeroWindow[27] = 0;
        assertProtocolError(zeroWindow, "grants 0 or over 2^31-1 messages");

        byte[] windowWithEnd = vectors.get("stream_window").clone();
        windowWithEnd[3] = (byte) 0xe0;
        assertProtocolError(windowWithEnd, "a WINDOW frame of stream 3 must carry exactly a 4-byte count");

        byte[] idZero = vectors.get("stream_message").clone();
        idZero[11] = 0;
        assertProtocolError(idZero, "a stream frame with id 0");

        byte[] emptyMessage = vectors.get("stream_message").clone();
        emptyMessage[4] = 0; // serializer 0: no message, and no END
        emptyMessage[23] = 0;
        assertProtocolError(java.util.Arrays.copyOf(emptyMessage, 24), "carries neither a message");

        byte[] streamHeartbeat = vectors.get("stream_end").clone();
        streamHeartbeat[3] = 0x23; // STREAM | HEARTBEAT | RESPONSE
        assertProtocolError(streamHeartbeat, "a stream frame cannot also be a heartbeat");

        byte[] endWithoutStream = vectors.get("ok").clone();
        endWithoutStream[3] = 0x41;
        assertProtocolError(endWithoutStream, "END and WINDOW belong to stream frames");
    }

    @Test
    void cancelFramesThatNameNoCallOrCarryMoreAreProtocolErrors() {
        byte[] idZero = vectors.get("cancel").clone();
        idZero[11] = 0;
        assertProtocolError(idZero, "a CANCEL frame must name a request (id 0)");

        byte[] asResponse = vectors.get("cancel").clone();
        asResponse[3] = 0x11;
        assertProtocolError(asResponse, "carry neither the RESPONSE flag nor metadata");

        byte[] withMetadata = vectors.get("request").clone();
        withMetadata[3] = 0x10; // CANCEL on a frame with metadata (and a path)
        assertProtocolError(withMetadata, "metadata 11 bytes");
    }

    @Test
    void framesArrivingByteByByteAndBackToBackDecode() {
        byte[] request = vectors.get("request");
        byte[] ok = vectors.get("ok");
        EmbeddedChannel ch = channel(ProtocolLimits.DEFAULT);
        for (byte b : request) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        ch.writeInbound(Unpooled.wrappedBuffer(ok, ok));

        assertThat(((Frame) ch.readInbound()).method()).isEqualTo("echo");
        assertThat(((Frame) ch.readInbound()).isResponse()).isTrue();
        assertThat(((Frame) ch.readInbound()).isResponse()).isTrue();
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void oversizedBodyIsDiscardedAndTheNextFrameStillDecodes() {
        EmbeddedChannel ch = channel(new ProtocolLimits(16, 64));
        RpcRequest big = RpcRequest.of("demo.Echo", "echo", Payload.encoded((byte) 1, new byte[100]));
        ByteBuf oversized = new FrameEncoder(Serializers.defaults(), 1000).request(alloc, 9, big, 0);
        // Deliver it in pieces: the decoder must skip without buffering the whole frame.
        while (oversized.isReadable()) {
            ch.writeInbound(oversized.readRetainedSlice(Math.min(7, oversized.readableBytes())));
        }
        oversized.release();
        ch.writeInbound(Unpooled.wrappedBuffer(vectors.get("heartbeat")));

        OversizedFrame rejected = ch.readInbound();
        assertThat(rejected.requestId()).isEqualTo(9);
        assertThat(rejected.reason()).isEqualTo("request message of 100 bytes exceeds the maxMessageSize of 16 bytes");
        assertThat(((Frame) ch.readInbound()).isHeartbeat()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void oversizedMetadataIsDiscardedWithAReason() {
        EmbeddedChannel ch = channel(new ProtocolLimits(1024, 8));
        ch.writeInbound(Unpooled.wrappedBuffer(vectors.get("request")));

        OversizedFrame rejected = ch.readInbound();
        assertThat(rejected.reason()).isEqualTo("metadata of 11 bytes exceeds the maxMetadataSize of 8 bytes");
        ch.finishAndReleaseAll();
    }

    @Test
    void badMagicIsAProtocolErrorAndLaterBytesAreIgnored() {
        EmbeddedChannel ch = channel(ProtocolLimits.DEFAULT);
        byte[] garbage = "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(garbage)))
                .isInstanceOf(DecoderException.class)
                .hasCauseInstanceOf(ProtocolException.class)
                .hasMessageContaining("bad magic 0x4745");
        ch.writeInbound(Unpooled.wrappedBuffer(vectors.get("ok")));
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void hugeDeclaredLengthIsAProtocolError() {
        byte[] frame = vectors.get("heartbeat").clone();
        frame[20] = 0x7f; // body length 0x7f000000
        assertProtocolError(frame, "frame declares 2130706432 bytes after its header");
    }

    @Test
    void reservedFlagsUnknownVersionAndMissingPathAreProtocolErrors() {
        byte[] flags = vectors.get("ok").clone();
        flags[3] = (byte) 0x81;
        assertProtocolError(flags, "END and WINDOW belong to stream frames");

        byte[] oneWay = vectors.get("request").clone();
        oneWay[3] = 0x04; // once meant for one-way calls, never implemented: reserved
        assertProtocolError(oneWay, "unknown flag bits 0x04");

        byte[] version = vectors.get("ok").clone();
        version[2] = 9;
        assertProtocolError(version, "unsupported protocol version 9");

        byte[] noPath = vectors.get("heartbeat").clone();
        noPath[3] = 0; // a plain request without a path
        assertProtocolError(noPath, "has no service/method path");
    }

    @Test
    void metadataThatOverrunsItsSectionIsAProtocolError() {
        byte[] frame = vectors.get("request").clone();
        frame[24 + 14] = 40; // the key length now runs past the 11 bytes of metadata
        assertProtocolError(frame, "overruns the declared metadata length");
    }

    @Test
    void encoderRefusesMessagesOverItsLimitAndReleasesTheBuffer() {
        RpcRequest big = RpcRequest.of("demo.Echo", "echo", Payload.encoded((byte) 1, new byte[1025]));

        assertThatThrownBy(() -> encoder.request(io.netty.buffer.PooledByteBufAllocator.DEFAULT, 1, big))
                .isInstanceOfSatisfying(
                        RpcException.class,
                        e -> assertThat(e.status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    }

    @Test
    void metadataRoundTripsUnicodeValues() {
        RpcRequest request = new RpcRequest(
                "demo.Echo",
                "echo",
                Metadata.ofEntries("name", "Zoë ☃", "empty", ""),
                Deadline.NONE,
                Payload.EMPTY,
                Attributes.empty());
        Frame f = decodeOne(bytes(encoder.request(alloc, 3, request, 0)));

        assertThat(f.metadata().toMap()).containsExactly(Map.entry("name", "Zoë ☃"), Map.entry("empty", ""));
        assertThat(f.timeoutMicros()).isZero();
    }

    private static void assertProtocolError(byte[] frame, String message) {
        EmbeddedChannel ch = channel(ProtocolLimits.DEFAULT);
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(frame)))
                .hasCauseInstanceOf(ProtocolException.class)
                .hasMessageContaining(message);
        ch.finishAndReleaseAll();
    }

    private static EmbeddedChannel channel(ProtocolLimits limits) {
        return new EmbeddedChannel(new FrameDecoder(limits));
    }

    private static Frame decodeOne(byte[] bytes) {
        EmbeddedChannel ch = channel(ProtocolLimits.DEFAULT);
        ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        Frame f = ch.readInbound();
        assertThat(f).isNotNull();
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
        return f;
    }

    private static byte[] bytes(ByteBuf buf) {
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }
}
