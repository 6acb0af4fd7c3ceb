package io.outrigger.sidecar.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * The first handler of every HTTP connection: tells HTTP/2 with prior knowledge (h2c, the client
 * opens with the connection preface {@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}) from HTTP/1.1 by the
 * first bytes, installs the handlers of that protocol behind itself and leaves the pipeline. The
 * bytes it has seen are passed on untouched, so the installed codec reads the connection from its
 * first byte (the HTTP/2 codec checks the preface itself).
 *
 * <p>It decides at the first byte that differs from the preface (the second byte of {@code POST},
 * the first of {@code GET}), or once all 24 bytes of the preface have come.
 */
final class Http2PrefaceDetector extends ByteToMessageDecoder {

    /** RFC 9113, section 3.4. */
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Consumer<ChannelPipeline> http1;
    private final Consumer<ChannelPipeline> http2;

    /**
     * @param http1 adds the HTTP/1.1 handlers at the end of the pipeline
     * @param http2 adds the HTTP/2 handlers at the end of the pipeline
     */
    Http2PrefaceDetector(Consumer<ChannelPipeline> http1, Consumer<ChannelPipeline> http2) {
        this.http1 = http1;
        this.http2 = http2;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int seen = Math.min(in.readableBytes(), PREFACE.length);
        boolean matches = true;
        for (int i = 0; i < seen && matches; i++) {
            matches = in.getByte(in.readerIndex() + i) == PREFACE[i];
        }
        if (matches && seen < PREFACE.length) {
            return; // a prefix of the preface so far: wait for more
        }
        (matches ? http2 : http1).accept(ctx.pipeline());
        // Removing a decoder hands the bytes it holds to the next handler, the first one just added.
        ctx.pipeline().remove(this);
    }
}
