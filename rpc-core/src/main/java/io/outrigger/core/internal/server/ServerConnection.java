package io.outrigger.core.internal.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.outrigger.core.RequestNotRunException;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.internal.protocol.Frame;
import io.outrigger.core.internal.protocol.FrameDecoder;
import io.outrigger.core.internal.protocol.FrameEncoder;
import io.outrigger.core.internal.protocol.OversizedFrame;
import io.outrigger.core.internal.protocol.ProtocolException;
import io.outrigger.core.internal.tls.TlsSessions;
import io.outrigger.core.internal.transport.ReadGate;
import io.outrigger.core.internal.transport.WriteQueue;
import io.outrigger.core.tls.PeerPrincipal;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one connection: hands request frames to the {@link Dispatcher}, answers
 * heartbeats and oversized frames itself, and writes responses from any thread through a batching
 * {@code WriteQueue}.
 *
 * <p>Back-pressure ({@link ReadGate}): every request that will be answered counts as in flight from
 * the moment it is read until its answer is written; reading stops while too many are, or while the
 * peer is not reading its answers, and the connection is closed when its queued answers pass the cap.
 */
final class ServerConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ServerConnection.class);

    private final Dispatcher dispatcher;
    private final FrameEncoder encoder;
    private final int maxInFlight;
    private final long maxQueuedBytes;
    private Channel channel;
    private ReadGate gate;
    private String remote;
    private WriteQueue<ByteBuf> writes;
    /** The highest request id accepted so far (event loop only). */
    private int lastRequestId;
    /** Set once the closing frame is sent: later requests are refused, not run (event loop only). */
    private boolean goingAway;
    /** The client certificate's identity, looked up once (event loop only). */
    private PeerPrincipal peer;

    private boolean peerLooked;

    ServerConnection(Dispatcher dispatcher, FrameEncoder encoder, int maxInFlight, long maxQueuedBytes) {
        this.dispatcher = dispatcher;
        this.encoder = encoder;
        this.maxInFlight = maxInFlight;
        this.maxQueuedBytes = maxQueuedBytes;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        remote = remoteAddress(channel);
        Channel ch = channel;
        FrameDecoder decoder = ch.pipeline().get(FrameDecoder.class);
        ReadGate g = new ReadGate(
                ch,
                "connection from " + remote,
                maxInFlight,
                maxQueuedBytes,
                decoder::pause,
                () -> decoder.resume(ch.pipeline()));
        gate = g;
        writes = new WriteQueue<>(
                ch,
                frame -> {
                    ch.write(frame, ch.voidPromise());
                    g.answered();
                    g.checkQueued();
                },
                ByteBuf::release);
        ctx.fireChannelActive();
    }

    String remote() {
        return remote;
    }

    /**
     * The identity in the client's verified certificate, or {@code null} (no TLS, or no client
     * certificate). Read on the event loop, once the handshake is over (requests arrive only then).
     */
    PeerPrincipal peerPrincipal() {
        if (!peerLooked) {
            peerLooked = true;
            SslHandler ssl = channel.pipeline().get(SslHandler.class);
            if (ssl != null) {
                peer = TlsSessions.peerPrincipal(ssl.engine());
            }
        }
        return peer;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame) {
            if (frame.isHeartbeat()) {
                if (!frame.isResponse()) {
                    ctx.writeAndFlush(FrameEncoder.heartbeat(ctx.alloc(), frame.requestId(), true), ctx.voidPromise());
                }
            } else if (!frame.isResponse() && !frame.isGoAway()) {
                gate.accepted();
                if (goingAway) {
                    // Sent before the client saw our closing frame: refuse it so the client can retry elsewhere.
                    respond(
                            frame.requestId(),
                            RpcResponse.failure(
                                    RequestNotRunException.mark(Status.UNAVAILABLE.withDescription(frame.service() + "/"
                                            + frame.method() + ": server shutting down; the request was not run"))));
                    return;
                }
                lastRequestId = frame.requestId();
                dispatcher.dispatch(this, frame);
            }
        } else if (msg instanceof OversizedFrame oversized) {
            if (!oversized.isResponse()) {
                gate.accepted();
                respond(
                        oversized.requestId(),
                        RpcResponse.failure(RequestNotRunException.mark(Status.RESOURCE_EXHAUSTED.withDescription(
                                oversized.reason() + "; the call was rejected, the connection stays open"))));
            }
        }
    }

    /** Encodes and queues a response; callable from any thread. */
    void respond(int requestId, RpcResponse response) {
        if (RequestNotRunException.notRun(response.status())) {
            // The local cause does not travel: say it on the wire, so the client may retry it anywhere.
            response = new RpcResponse(
                    response.status(),
                    response.metadata().with(RequestNotRunException.METADATA_KEY, "1"),
                    response.payload());
        }
        ByteBuf frame;
        try {
            frame = encoder.response(channel.alloc(), requestId, response);
        } catch (RpcException e) {
            frame = encoder.response(channel.alloc(), requestId, RpcResponse.failure(e.status()));
        }
        writes.enqueue(frame);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        gate.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent handshake) {
            if (!handshake.isSuccess()) {
                // The SslHandler closes the connection; the client reads "TLS handshake ... failed".
                log.warn("TLS handshake with {} failed: {}", remote, TlsSessions.describeFailure(handshake.cause()));
            }
            ctx.fireUserEventTriggered(evt);
        } else if (evt instanceof IdleStateEvent) {
            // Clients send heartbeats when idle; silence this long is a dead or stalled peer (or one
            // that holds connections open on purpose): free the connection.
            log.info("closing connection from {}: nothing received for the idle timeout", remote);
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof ProtocolException) {
            log.warn("closing connection from {}: protocol error: {}", remote, c.getMessage());
        } else if (c instanceof IOException) {
            // The peer reset or broke the connection: its doing, not a decision of this server.
            log.debug("connection from {} failed: {}", remote, c.toString());
        } else {
            log.warn("closing connection from {}: {}", remote, c.toString());
        }
        ctx.close();
    }

    private static String remoteAddress(Channel channel) {
        if (channel.remoteAddress() instanceof InetSocketAddress a) {
            return a.getAddress().getHostAddress() + ":" + a.getPort();
        }
        return String.valueOf(channel.remoteAddress());
    }

    /**
     * Sends the closing frame, naming the last request accepted: the client sends no new calls here,
     * and knows that calls it sent after that one were not run.
     */
    void goAway(String reason) {
        channel.eventLoop().execute(() -> {
            goingAway = true;
            channel.writeAndFlush(FrameEncoder.goAway(channel.alloc(), lastRequestId, reason), channel.voidPromise());
        });
    }
}
