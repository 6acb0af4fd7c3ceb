package io.outrigger.core.internal.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.collection.IntObjectHashMap;
import io.outrigger.core.Attributes;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.RequestNotRunException;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.internal.protocol.Frame;
import io.outrigger.core.internal.protocol.FrameDecoder;
import io.outrigger.core.internal.protocol.FrameEncoder;
import io.outrigger.core.internal.protocol.OversizedFrame;
import io.outrigger.core.internal.protocol.PeerText;
import io.outrigger.core.internal.protocol.ProtocolException;
import io.outrigger.core.internal.tls.TlsSessions;
import io.outrigger.core.internal.transport.ReadGate;
import io.outrigger.core.internal.transport.WriteQueue;
import io.outrigger.core.tls.PeerPrincipal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 *
 * <p>Cancellation: the calls accepted and not yet answered are kept by request id, so that a CANCEL
 * frame (or the connection closing) can cancel them; a cancelled call's answer is dropped, not sent.
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
    private WriteQueue<ServerCall> writes;
    /** Calls accepted and not yet answered, by request id (event loop only). */
    private final IntObjectHashMap<ServerCall> calls = new IntObjectHashMap<>();
    /** The highest request id accepted so far (event loop only). */
    private int lastRequestId;
    /** Set once the closing frame is sent: later requests are refused, not run (event loop only). */
    private boolean goingAway;
    /** The client certificate's identity, looked up once (event loop only). */
    private PeerPrincipal peer;

    private boolean peerLooked;
    /** What every request of this connection carries in its attributes: the peer's address and identity. */
    private Attributes attributes;

    private final int maxStreams;
    /** Streams open on this connection (event loop only). */
    private int openStreams;

    ServerConnection(
            Dispatcher dispatcher, FrameEncoder encoder, int maxInFlight, long maxQueuedBytes, int maxStreams) {
        this.maxStreams = maxStreams;
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
                call -> {
                    if (call instanceof ServerStream stream) {
                        writeStream(stream);
                        return;
                    }
                    ServerCall open = calls.remove(call.id);
                    if (open != call && open != null) {
                        calls.put(open.id, open); // another call under a reused id: still open
                    }
                    ByteBuf frame = call.frame;
                    call.frame = null;
                    if (frame != null) {
                        if (call.isCancelled()) {
                            frame.release(); // the caller said it wants no answer
                        } else {
                            ch.write(frame, ch.voidPromise());
                        }
                    }
                    g.answered();
                    g.checkQueued();
                },
                call -> {
                    if (call instanceof ServerStream stream) {
                        stream.discardQueued();
                    }
                    if (call.frame != null) {
                        call.frame.release();
                        call.frame = null;
                    }
                });
        ctx.fireChannelActive();
    }

    String remote() {
        return remote;
    }

    boolean isWritable() {
        return channel.isWritable();
    }

    FrameEncoder encoder() {
        return encoder;
    }

    io.netty.buffer.ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** Queues {@code stream}'s frames for writing. Any thread. */
    void enqueue(ServerStream stream) {
        writes.enqueue(stream);
    }

    /** On the event loop: writes a stream's queued frames, and forgets the stream once its end is out. */
    private void writeStream(ServerStream stream) {
        stream.writeQueued(channel);
        stream.release(); // written: the producer may be owed more of the client's credit
        // A peer that grants credit and never reads: the same cap as for answers closes the connection.
        gate.checkQueued();
        if (stream.ended && !stream.removed && stream.frames.isEmpty()) {
            stream.removed = true;
            openStreams--;
            if (calls.get(stream.id) == stream) {
                calls.remove(stream.id);
            }
        }
    }

    /** A client opens a stream: refused past the limit or while shutting down, else dispatched like a call. */
    private void openStream(ChannelHandlerContext ctx, Frame frame) {
        String what = frame.service() + "/" + frame.method();
        if (goingAway || openStreams >= maxStreams) {
            ServerStream refused =
                    new ServerStream(frame.requestId(), ctx.channel().eventLoop(), this, what, true);
            refused.removed = true; // never counted
            respond(
                    refused,
                    RpcResponse.failure(
                            RequestNotRunException.mark(
                                    goingAway
                                            ? Status.UNAVAILABLE.withDescription(
                                                    what + ": server shutting down; the stream was not opened")
                                            : Status.RESOURCE_EXHAUSTED.withDescription(
                                                    what + ": " + openStreams
                                                            + " streams are open on this connection, the server's maxStreamsPerConnection;"
                                                            + " the stream was not opened, try again when one ends or use another connection"))));
            return;
        }
        lastRequestId = frame.requestId();
        openStreams++;
        ServerStream stream = new ServerStream(frame.requestId(), ctx.channel().eventLoop(), this, what, frame.isEnd());
        calls.put(stream.id, stream);
        dispatcher.dispatch(this, stream, frame);
    }

    /**
     * The attributes every request of this connection starts with: the caller's address, and the
     * identity of its verified certificate if any. Made once, on the event loop, with the first
     * request (the TLS handshake is over by then).
     */
    Attributes attributes() {
        Attributes a = attributes;
        if (a == null) {
            a = Attributes.empty().with(CallAttributes.REMOTE_ADDRESS, remote);
            PeerPrincipal peer = peerPrincipal();
            if (peer != null) {
                a = a.with(CallAttributes.PEER_PRINCIPAL, peer);
            }
            attributes = a;
        }
        return a;
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
            } else if (frame.isCancel()) {
                cancel(frame);
            } else if (frame.isStreamOpen()) {
                openStream(ctx, frame);
            } else if (frame.isStream()) {
                if (calls.get(frame.requestId()) instanceof ServerStream stream) {
                    stream.onFrame(frame);
                } // else: the stream ended (or was cancelled) and the client's frame crossed its end
            } else if (!frame.isResponse() && !frame.isGoAway()) {
                gate.accepted();
                if (goingAway) {
                    // Sent before the client saw our closing frame: refuse it so the client can retry elsewhere.
                    respond(
                            new ServerCall(frame.requestId(), null),
                            RpcResponse.failure(
                                    RequestNotRunException.mark(Status.UNAVAILABLE.withDescription(frame.service() + "/"
                                            + frame.method() + ": server shutting down; the request was not run"))));
                    return;
                }
                lastRequestId = frame.requestId();
                ServerCall call =
                        new ServerCall(frame.requestId(), ctx.channel().eventLoop());
                calls.put(call.id, call);
                dispatcher.dispatch(this, call, frame);
            }
        } else if (msg instanceof OversizedFrame oversized) {
            if (!oversized.isResponse()) {
                gate.accepted();
                respond(
                        new ServerCall(oversized.requestId(), null),
                        RpcResponse.failure(RequestNotRunException.mark(Status.RESOURCE_EXHAUSTED.withDescription(
                                oversized.reason() + "; the call was rejected, the connection stays open"))));
            }
        }
    }

    /** The caller cancelled a call: it runs no further (if its code listens) and gets no answer. */
    private void cancel(Frame frame) {
        ServerCall call = calls.get(frame.requestId());
        if (call == null) {
            return; // answered already, or never sent: nothing to stop
        }
        String reason = PeerText.safe(new String(frame.body(), StandardCharsets.UTF_8));
        call.cancel(Status.CANCELLED.withDescription(
                "cancelled by the caller " + remote + (reason.isEmpty() ? "" : " (" + reason + ")")));
    }

    /**
     * Encodes and queues the answer of {@code call}, or only frees its place when the caller cancelled
     * it; callable from any thread.
     */
    void respond(ServerCall call, RpcResponse response) {
        if (call instanceof ServerStream stream) {
            endStream(stream, response);
            return;
        }
        if (call.isCancelled()) {
            writes.enqueue(call); // nothing to send; frees its place in the gate, on the event loop
            return;
        }
        if (RequestNotRunException.notRun(response.status())) {
            // The local cause does not travel: say it on the wire, so the client may retry it anywhere.
            response = new RpcResponse(
                    response.status(),
                    response.metadata().with(RequestNotRunException.METADATA_KEY, "1"),
                    response.payload());
        }
        try {
            call.frame = encoder.response(channel.alloc(), call.id, response);
        } catch (RpcException e) {
            call.frame = encoder.response(channel.alloc(), call.id, RpcResponse.failure(e.status()));
        }
        writes.enqueue(call);
    }

    /** Queues the end of {@code stream} after its messages (or only forgets it, when cancelled). Any thread. */
    private void endStream(ServerStream stream, RpcResponse response) {
        synchronized (stream) {
            if (stream.ended) {
                return;
            }
            stream.ended = true;
        }
        if (!stream.isCancelled()) {
            if (RequestNotRunException.notRun(response.status())) {
                response = new RpcResponse(
                        response.status(),
                        response.metadata().with(RequestNotRunException.METADATA_KEY, "1"),
                        response.payload());
            }
            ByteBuf end;
            try {
                end = encoder.streamEnd(channel.alloc(), stream.id, response);
            } catch (RpcException e) {
                end = encoder.streamEnd(channel.alloc(), stream.id, RpcResponse.failure(e.status()));
            }
            stream.frames.add(end);
        }
        writes.enqueue(stream);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!calls.isEmpty()) {
            // The caller is gone: nobody will read the answers, so stop what can be stopped.
            Status closed = Status.CANCELLED.withDescription("the caller's connection from " + remote + " closed");
            for (ServerCall call : new ArrayList<>(calls.values())) {
                call.cancel(closed);
            }
            calls.clear();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        gate.writabilityChanged();
        if (ctx.channel().isWritable() && openStreams > 0) {
            for (ServerCall call : new ArrayList<>(calls.values())) {
                if (call instanceof ServerStream stream) {
                    stream.release(); // credit held while the peer was not reading
                }
            }
        }
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
    /** Ends every stream still open here with {@code status} (the server is closing). Any thread. */
    void endStreams(Status status) {
        channel.eventLoop().execute(() -> {
            for (ServerCall call : new ArrayList<>(calls.values())) {
                if (call instanceof ServerStream stream) {
                    stream.abort(status);
                }
            }
        });
    }

    void goAway(String reason) {
        channel.eventLoop().execute(() -> {
            goingAway = true;
            channel.writeAndFlush(FrameEncoder.goAway(channel.alloc(), lastRequestId, reason), channel.voidPromise());
        });
    }
}
