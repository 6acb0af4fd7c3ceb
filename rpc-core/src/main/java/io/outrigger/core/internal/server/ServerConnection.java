package io.outrigger.core.internal.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.internal.protocol.Frame;
import io.outrigger.core.internal.protocol.FrameEncoder;
import io.outrigger.core.internal.protocol.OversizedFrame;
import io.outrigger.core.internal.protocol.ProtocolException;
import io.outrigger.core.internal.transport.WriteQueue;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one connection: hands request frames to the {@link Dispatcher}, answers
 * heartbeats and oversized frames itself, and writes responses from any thread through a batching
 * {@code WriteQueue}.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

    private final Dispatcher dispatcher;
    private final FrameEncoder encoder;
    private Channel channel;
    private String remote;
    private WriteQueue<ByteBuf> writes;

    ServerConnection(Dispatcher dispatcher, FrameEncoder encoder) {
        this.dispatcher = dispatcher;
        this.encoder = encoder;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        remote = remoteAddress(channel);
        Channel ch = channel;
        writes = new WriteQueue<>(ch, frame -> ch.write(frame, ch.voidPromise()), ByteBuf::release);
        ctx.fireChannelActive();
    }

    String remote() {
        return remote;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame) {
            if (frame.isHeartbeat()) {
                if (!frame.isResponse()) {
                    ctx.writeAndFlush(FrameEncoder.heartbeat(ctx.alloc(), frame.requestId(), true), ctx.voidPromise());
                }
            } else if (!frame.isResponse() && !frame.isGoAway()) {
                dispatcher.dispatch(this, frame);
            }
        } else if (msg instanceof OversizedFrame oversized) {
            if (!oversized.isResponse()) {
                respond(
                        oversized.requestId(),
                        RpcResponse.failure(Status.RESOURCE_EXHAUSTED.withDescription(
                                oversized.reason() + "; the call was rejected, the connection stays open")));
            }
        }
    }

    /** Encodes and queues a response; callable from any thread. */
    void respond(int requestId, RpcResponse response) {
        ByteBuf frame;
        try {
            frame = encoder.response(channel.alloc(), requestId, response);
        } catch (RpcException e) {
            frame = encoder.response(channel.alloc(), requestId, RpcResponse.failure(e.status()));
        }
        writes.enqueue(frame);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof ProtocolException) {
            log.warn("closing connection from {}: protocol error: {}", remote, c.getMessage());
        } else {
            log.debug("closing connection from {}: {}", remote, c.toString());
        }
        ctx.close();
    }

    private static String remoteAddress(Channel channel) {
        if (channel.remoteAddress() instanceof InetSocketAddress a) {
            return a.getAddress().getHostAddress() + ":" + a.getPort();
        }
        return String.valueOf(channel.remoteAddress());
    }

    /** Sends the closing frame: the client sends no new calls here. */
    void goAway(String reason) {
        channel.writeAndFlush(FrameEncoder.goAway(channel.alloc(), reason), channel.voidPromise());
    }
}
