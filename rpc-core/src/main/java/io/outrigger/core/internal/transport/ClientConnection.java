package io.outrigger.core.internal.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.collection.IntObjectHashMap;
import io.outrigger.core.Payload;
import io.outrigger.core.RequestMayHaveRunException;
import io.outrigger.core.RequestNotRunException;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.internal.Cancellation;
import io.outrigger.core.internal.protocol.Frame;
import io.outrigger.core.internal.protocol.FrameEncoder;
import io.outrigger.core.internal.protocol.OversizedFrame;
import io.outrigger.core.internal.protocol.PeerText;
import io.outrigger.core.internal.protocol.ProtocolException;
import io.outrigger.core.internal.stream.StreamHandler;
import io.outrigger.core.internal.tls.TlsSessions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One multiplexed connection to a provider: many concurrent calls, told apart by request id.
 *
 * <p>Threads: {@link #send} runs on the caller's thread (it encodes the frame there, so serialization
 * never runs on the event loop) and hands the frame to a {@link WriteQueue}. Everything else runs on
 * the channel's event loop, which alone touches the map of pending calls, so it needs no lock.
 *
 * <p>Cancellation: a call whose caller cancels it (or whose deadline passes) while it is on the
 * wire is completed here at once, and a CANCEL frame tells the provider to stop it and send no
 * answer; an answer that still arrives is dropped.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

    private final Channel channel;
    private final String remote;
    /** Whether this side sent a certificate of its own (mutual TLS), for the hints of TLS failures. */
    private final boolean presentsCertificate;

    private final FrameEncoder encoder;
    /** Request bytes waiting for the socket past which new calls here fail unsent. */
    private final long maxQueuedBytes;

    private final IntObjectHashMap<PendingCall> pending = new IntObjectHashMap<>();
    private final WriteQueue<PendingCall> writes;
    private final AtomicInteger nextId = new AtomicInteger();
    /** Set when the provider announced its shutdown: no new calls here. */
    private volatile boolean goingAway;
    /** From the provider's closing frame: calls with higher ids were not run (event loop only). */
    private int goAwayLastId;

    private String goAwayReason = "";
    /** Set when the owner wants the connection closed as soon as no call is pending. */
    private boolean closeWhenIdle;
    /** Why this side is closing the connection, for the failures of the calls in flight (event loop only). */
    private String closeReason;
    /** Whether a frame was written since the last heartbeat check (event loop only). */
    private boolean wrote;

    private final io.netty.util.concurrent.ScheduledFuture<?> heartbeats;

    ClientConnection(
            Channel channel,
            String remote,
            FrameEncoder encoder,
            boolean presentsCertificate,
            long maxQueuedBytes,
            long heartbeatIntervalNanos) {
        this.presentsCertificate = presentsCertificate;
        this.maxQueuedBytes = maxQueuedBytes;
        this.channel = channel;
        this.remote = remote;
        this.encoder = encoder;
        this.writes = new WriteQueue<>(channel, this::write, this::discard);
        // Checked every half interval: a heartbeat goes out once nothing was written for between half
        // and all of the interval. (Netty's IdleStateHandler would time writes too, but at the cost of
        // a promise and a listener for every frame written.)
        long check = Math.max(1, heartbeatIntervalNanos / 2);
        this.heartbeats =
                channel.eventLoop().scheduleAtFixedRate(this::heartbeatIfQuiet, check, check, TimeUnit.NANOSECONDS);
    }

    /** On the event loop, every half heartbeat interval: sends a heartbeat if nothing was written since the last check. */
    private void heartbeatIfQuiet() {
        if (!wrote && channel.isActive()) {
            channel.writeAndFlush(FrameEncoder.heartbeat(channel.alloc(), 0, false), channel.voidPromise());
        }
        wrote = false;
    }

    /** Whether new calls may be sent here. */
    boolean isUsable() {
        return !goingAway && channel.isActive();
    }

    Channel channel() {
        return channel;
    }

    /** Sends {@code request}; the future completes with the response or a failure status, never exceptionally. */
    CompletableFuture<RpcResponse> send(RpcRequest request, AtomicInteger inFlight) {
        if (inFlight != null) {
            inFlight.incrementAndGet();
        }
        int id = nextRequestId();
        StreamHandler stream = request.attributes().get(StreamHandler.KEY);
        ByteBuf frame;
        try {
            frame = stream == null
                    ? encoder.request(channel.alloc(), id, request)
                    : encoder.streamOpen(channel.alloc(), id, request, !stream.sendsMessages());
        } catch (RpcException e) {
            PendingCall failed = new PendingCall(this, id, request, null, inFlight);
            failed.finish(RpcResponse.failure(e.status()));
            return failed;
        }
        PendingCall call = stream == null
                ? new PendingCall(this, id, request, frame, inFlight)
                : new ClientStream(this, encoder, id, request, frame, inFlight, stream);
        writes.enqueue(call);
        return call;
    }

    String remote() {
        return remote;
    }

    /** Queues {@code stream}'s frames for writing. Any thread. */
    void enqueue(ClientStream stream) {
        writes.enqueue(stream);
    }

    private int nextRequestId() {
        // Id 0 is left for connection-level frames; ids wrap around after 2^32 calls.
        int id = nextId.incrementAndGet();
        return id != 0 ? id : nextId.incrementAndGet();
    }

    /** On the event loop: registers the call, arms its timer, writes its frame (flushed by the queue). */
    private void write(PendingCall call) {
        if (call instanceof ClientStream stream && stream.opened) {
            stream.writeQueued(channel);
            wrote = true;
            return;
        }
        ByteBuf frame = call.frame;
        call.frame = null;
        if (goingAway || !channel.isActive()) {
            frame.release();
            call.finish(notSent(
                    !goingAway
                            ? "is closed" + (closeReason == null ? "" : " (" + closeReason + ")")
                            : goAwayLastId == 0 ? "was refused (" + goAwayReason + ")" : "is shutting down"));
            return;
        }
        long queued = queuedBytes();
        if (queued > maxQueuedBytes) {
            // The provider is not reading (or the network is stalled): queueing more would only grow
            // this client's memory, and the call may be sent elsewhere since it never left.
            frame.release();
            call.finish(notSent("has " + queued + " bytes of requests waiting for the provider to read them"
                    + " (over the cap of " + maxQueuedBytes + ", maxQueuedBytesPerConnection)"));
            return;
        }
        long remaining = call.request.deadline().remainingNanos();
        if (remaining <= 0) {
            frame.release();
            call.finish(RpcResponse.failure(Status.DEADLINE_EXCEEDED.withDescription(
                    call.request.fullMethodName() + ": deadline expired before the request was sent to " + remote)));
            return;
        }
        Cancellation cancellation = call.request.attributes().get(Cancellation.KEY);
        if (cancellation != null && cancellation.isCancelled()) {
            frame.release();
            call.finish(RpcResponse.failure(RequestNotRunException.mark(cancellation.status())));
            return;
        }
        pending.put(call.id, call);
        if (remaining != Long.MAX_VALUE) {
            call.timeoutNanos = remaining;
            call.timer = channel.eventLoop().schedule(call, remaining, TimeUnit.NANOSECONDS);
        }
        channel.write(frame, channel.voidPromise());
        wrote = true;
        if (cancellation != null) {
            cancellation.bindAttempt(call);
        }
        if (call instanceof ClientStream stream && !stream.isDone()) {
            stream.opened = true;
            stream.handler.attached(stream);
            stream.writeQueued(channel);
        }
    }

    /** The caller cancelled {@code call}: completes it and tells the provider. Any thread. */
    void cancelled(PendingCall call, Status reason) {
        if (!channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> cancelled(call, reason));
            return;
        }
        if (pending.get(call.id) != call) {
            return; // answered (or failed) already
        }
        pending.remove(call.id);
        cancelTimer(call);
        sendCancel(call.id, reason.description() == null ? "cancelled" : reason.description());
        call.finish(RpcResponse.failure(reason));
        closeIfIdle();
    }

    private void sendCancel(int id, String reason) {
        if (channel.isActive()) {
            channel.writeAndFlush(FrameEncoder.cancel(channel.alloc(), id, reason), channel.voidPromise());
        }
    }

    private long queuedBytes() {
        io.netty.channel.ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    /** The event loop is gone: fail the call without sending it. */
    private void discard(PendingCall call) {
        if (call instanceof ClientStream stream) {
            stream.discardQueued();
        }
        if (call.frame != null) {
            call.frame.release();
            call.frame = null;
        }
        call.finish(notSent("is closed"));
    }

    private RpcResponse notSent(String why) {
        return RpcResponse.failure(RequestNotRunException.mark(Status.UNAVAILABLE.withDescription(
                "connection to " + remote + " " + why + "; the request was not sent")));
    }

    /** On the event loop: the call's deadline passed with no response. */
    void timedOut(PendingCall call) {
        if (pending.remove(call.id) == null) {
            return;
        }
        // The provider may still be working on it: tell it nobody waits any more.
        sendCancel(call.id, "deadline exceeded");
        String what = call instanceof ClientStream stream
                ? ": the stream's deadline passed " + TimeUnit.NANOSECONDS.toMillis(call.timeoutNanos)
                        + " ms after it opened to " + remote + stream.handler.progress()
                : ": deadline exceeded, no response from " + remote + " within "
                        + TimeUnit.NANOSECONDS.toMillis(call.timeoutNanos) + " ms of sending";
        call.finish(
                RpcResponse.failure(Status.DEADLINE_EXCEEDED.withDescription(call.request.fullMethodName() + what)));
        closeIfIdle();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Frame frame) {
            if (frame.isHeartbeat()) {
                if (!frame.isResponse()) {
                    ctx.writeAndFlush(FrameEncoder.heartbeat(ctx.alloc(), frame.requestId(), true), ctx.voidPromise());
                }
            } else if (frame.isGoAway()) {
                goingAway = true;
                goAwayLastId = frame.requestId();
                goAwayReason = PeerText.safe(new String(frame.body(), StandardCharsets.UTF_8));
                if (goAwayLastId == 0) {
                    log.warn("{} refused this connection ({}); new calls go elsewhere", remote, goAwayReason);
                } else {
                    log.info(
                            "{} is shutting down ({}); {} calls in flight there will finish, new calls go elsewhere",
                            remote,
                            goAwayReason,
                            pending.size());
                }
                closeIfIdle();
            } else if (frame.isStream() && !frame.isEnd()) {
                if (pending.get(frame.requestId()) instanceof ClientStream stream) {
                    if (frame.isWindow()) {
                        stream.handler.onWindow(frame.window());
                    } else {
                        stream.handler.onMessage(Payload.encoded(frame.serializerId(), frame.body()));
                    }
                } // else: the stream was cancelled or timed out here, and the frame crossed the CANCEL
            } else if (frame.isResponse()) {
                complete(frame); // a unary answer, or a stream's end (its status, and a last message if any)
            }
        } else if (msg instanceof OversizedFrame oversized) {
            PendingCall call = pending.remove(oversized.requestId());
            if (call != null) {
                cancelTimer(call);
                call.finish(RpcResponse.failure(Status.RESOURCE_EXHAUSTED.withDescription(
                        call.request.fullMethodName() + ": " + oversized.reason() + " (from " + remote + ")")));
            }
        }
    }

    private void complete(Frame frame) {
        PendingCall call = pending.remove(frame.requestId());
        if (call == null) {
            return; // Answered after its deadline: the caller has its DEADLINE_EXCEEDED already.
        }
        cancelTimer(call);
        Status status = Status.of(Status.Code.fromValue(frame.status()));
        RpcResponse response;
        if (status.isOk()) {
            response =
                    new RpcResponse(Status.OK, frame.metadata(), Payload.encoded(frame.serializerId(), frame.body()));
        } else {
            String description = frame.body().length == 0 ? null : new String(frame.body(), StandardCharsets.UTF_8);
            status = status.withDescription(description);
            if (frame.metadata().get(RequestNotRunException.METADATA_KEY) != null) {
                status = RequestNotRunException.mark(status); // the provider says it did not run it
            }
            response = new RpcResponse(status, frame.metadata(), Payload.EMPTY);
        }
        call.finish(response);
        closeIfIdle();
    }

    private static void cancelTimer(PendingCall call) {
        if (call.timer != null) {
            call.timer.cancel(false);
        }
    }

    /** Closes the connection once no call is pending (used when the endpoint leaves or the provider goes away). */
    void closeWhenIdle() {
        channel.eventLoop().execute(() -> {
            closeWhenIdle = true;
            closeIfIdle();
        });
    }

    private void closeIfIdle() {
        if ((closeWhenIdle || goingAway) && pending.isEmpty()) {
            channel.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent idle) {
            if (idle.state() == IdleState.READER_IDLE) {
                log.warn("closing connection to {}: nothing received, not even heartbeats, for too long", remote);
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable c = cause instanceof io.netty.handler.codec.DecoderException && cause.getCause() != null
                ? cause.getCause()
                : cause;
        if (c instanceof ProtocolException) {
            log.warn("closing connection to {}: protocol error: {}", remote, c.getMessage());
            closeReason = "protocol error: " + c.getMessage();
        } else if (c instanceof javax.net.ssl.SSLException) {
            // E.g. a TLS 1.3 server refusing this client's certificate (or its absence) after the
            // client's side of the handshake completed: say so in the failures of the calls.
            closeReason = "TLS: " + TlsSessions.describeFailure(c, presentsCertificate);
            io.netty.handler.ssl.SslHandler ssl = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
            if (ssl != null && ssl.handshakeFuture().isSuccess()) {
                log.warn("closing connection to {}: {}", remote, closeReason);
            } else {
                log.debug("closing connection to {}: {}", remote, closeReason); // the connect failure is logged
            }
        } else {
            log.debug("closing connection to {}: {}", remote, c.toString());
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        heartbeats.cancel(false);
        if (!pending.isEmpty()) {
            List<PendingCall> calls = new ArrayList<>(pending.values());
            pending.clear();
            for (PendingCall call : calls) {
                cancelTimer(call);
                if (goingAway && Integer.compareUnsigned(call.id, goAwayLastId) > 0) {
                    // The provider said it would not run requests after goAwayLastId: safe to retry.
                    call.finish(RpcResponse.failure(RequestNotRunException.mark(
                            Status.UNAVAILABLE.withDescription(call.request.fullMethodName() + ": " + remote
                                    + (goAwayLastId == 0
                                            ? " refused the connection (" + goAwayReason + ")"
                                            : " shut down before running the request")
                                    + "; the request was not run"))));
                    continue;
                }
                String why = call.request.fullMethodName() + ": connection to " + remote
                        + (call instanceof ClientStream stream
                                ? " closed while the stream was open" + stream.handler.progress()
                                : " closed while the call was in flight (it may have run)")
                        + (closeReason == null ? "" : ": " + closeReason);
                call.finish(RpcResponse.failure(
                        Status.UNAVAILABLE.withDescription(why).withCause(new RequestMayHaveRunException(why))));
            }
        }
        ctx.fireChannelInactive();
    }

    @Override
    public String toString() {
        return "connection to " + remote;
    }
}
