package io.outrigger.core.internal.tls;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.outrigger.core.Metadata;
import io.outrigger.core.RequestNotRunException;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.internal.protocol.FrameEncoder;
import io.outrigger.core.internal.protocol.FrameFlags;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First in a TLS server's pipeline: looks at the first byte a client sends. A TLS record goes on to
 * the {@code SslHandler} that replaces this handler; a plaintext Outrigger frame (the client was not
 * configured for TLS) is answered with a GOAWAY that accepted no request and gives the reason, then
 * {@code UNAVAILABLE} saying so for the first request, and the connection is closed. So every call
 * the client had in flight there fails with the reason and is known not to have run (safe to retry),
 * instead of a bare "connection closed while the call was in flight".
 */
public final class TlsDetector extends ByteToMessageDecoder {

    private static final Logger log = LoggerFactory.getLogger(TlsDetector.class);

    private final SslContextSource tls;
    private final FrameEncoder encoder;
    private boolean refused;

    /** One per connection. */
    public TlsDetector(SslContextSource tls, FrameEncoder encoder) {
        this.tls = tls;
        this.encoder = encoder;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (refused) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        if (in.getUnsignedByte(start) != (FrameEncoder.MAGIC >>> 8)) {
            // Not our frame: TLS, or garbage that the SslHandler will refuse (and log) itself. The
            // bytes buffered here are handed to it when this handler leaves the pipeline.
            ctx.pipeline().replace(this, "tls", tls.newServerHandler(ctx.alloc()));
            return;
        }
        if (in.readableBytes() < FrameEncoder.HEADER_LENGTH) {
            return; // the idle timeout closes a peer that stops here
        }
        int flags = in.getUnsignedByte(start + 3);
        int requestId = in.getInt(start + 8);
        in.skipBytes(in.readableBytes());
        refused = true;
        String remote = address(ctx.channel().remoteAddress());
        log.warn("refusing plaintext connection from {}: this port requires TLS", remote);
        String reason = "the server at " + address(ctx.channel().localAddress())
                + " requires TLS and this client connected without it (configure RpcClient.Builder.tls)";
        // Last accepted request 0: none. The client fails every call it sent here as not run.
        ctx.write(FrameEncoder.goAway(ctx.alloc(), 0, reason), ctx.voidPromise());
        boolean request = (flags & (FrameFlags.RESPONSE | FrameFlags.HEARTBEAT | FrameFlags.GOAWAY)) == 0;
        if (request) {
            ctx.write(
                    encoder.response(
                            ctx.alloc(),
                            requestId,
                            RpcResponse.failure(
                                            Status.UNAVAILABLE.withDescription(reason + "; the request was not run"))
                                    .withMetadata(Metadata.of(RequestNotRunException.METADATA_KEY, "1"))),
                    ctx.voidPromise());
        }
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(written -> {
            io.netty.channel.Channel ch = ctx.channel();
            if (ch instanceof io.netty.channel.socket.DuplexChannel duplex && ch.isActive()) {
                // Half-close, and read (and drop) what the client still sends until it closes: closing
                // with its requests unread would reset the connection, and the reset can destroy the
                // answer and the closing frame before the client reads them.
                duplex.shutdownOutput();
                ch.eventLoop().schedule(() -> ch.close(), 1, java.util.concurrent.TimeUnit.SECONDS);
            } else {
                ch.close();
            }
        });
    }

    private static String address(SocketAddress address) {
        return address instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() + ":" + a.getPort()
                : String.valueOf(address);
    }
}
