package io.outrigger.core.internal.server;

import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.internal.Cancellation;
import io.outrigger.core.internal.stream.InboundMessages;
import io.outrigger.core.internal.stream.OutboundMessages;
import io.outrigger.core.internal.stream.StreamHandler;
import io.outrigger.core.internal.stream.StreamPeer;
import io.outrigger.core.service.MethodKind;
import io.outrigger.serialization.Serializers;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One run of a streaming service method: the client's messages as the method's {@code
 * Flow.Publisher} argument, the method's publisher drained onto the stream as credit allows, and the
 * end. {@link #done} completes once, with the stream's outcome: {@code OK} when the method's
 * publisher completed (or its stage, for a client-streaming method, with the answer), a failure
 * when it failed, or the cancellation's status when the client cancelled or went away.
 */
final class ServerStreamCall implements StreamHandler {

    final CompletableFuture<RpcResponse> done = new CompletableFuture<>();
    private final StreamPeer peer;
    private final Function<Throwable, Status> failure;
    /** The client's messages, for methods it streams to; else {@code null}. */
    final InboundMessages<Object> inbound;
    /** The method's messages, for methods that stream back; else {@code null}. */
    final OutboundMessages outbound;

    @SuppressWarnings("unchecked")
    ServerStreamCall(
            StreamPeer peer,
            RpcRequest request,
            MethodKind kind,
            Class<?> requestType,
            Serializers serializers,
            Function<Throwable, Status> failure) {
        this.peer = peer;
        this.failure = failure;
        this.inbound =
                kind.clientStreams() ? new InboundMessages<>((Class<Object>) requestType, serializers, null) : null;
        this.outbound = kind.serverStreams() ? new OutboundMessages(peer, this::outboundDone) : null;
        if (inbound != null) {
            inbound.attach(peer);
        }
        Cancellation cancellation = request.attributes().get(Cancellation.KEY);
        if (cancellation != null) {
            cancellation.onCancel(this::cancelled);
            if (!request.deadline().isNone()) {
                // The server stops the stream at its deadline itself, not only when the client's CANCEL comes.
                cancellation.armDeadline(
                        request.deadline().remainingNanos(),
                        Status.DEADLINE_EXCEEDED.withDescription(
                                request.fullMethodName() + ": the stream's deadline passed on the server"));
            }
        }
        done.whenComplete((r, e) -> onLoop(() -> {
            if (inbound != null) {
                inbound.onEnd(Status.CANCELLED.withDescription(
                        peer.describe() + ": the server ended the stream before the client finished sending"));
            }
        }));
    }

    @Override
    public void onMessage(Payload message) {
        if (inbound == null) {
            fail(Status.INVALID_ARGUMENT.withDescription(
                    peer.describe() + ": a server-streaming method takes one message, in the frame that opens it"));
            return;
        }
        inbound.onMessage(message);
    }

    @Override
    public void onWindow(int credit) {
        if (outbound != null) {
            outbound.credit(credit);
        }
    }

    @Override
    public void onHalfClose() {
        if (inbound != null) {
            inbound.onEnd(Status.OK);
        }
    }

    @Override
    public void fail(Status status) {
        if (outbound != null) {
            outbound.cancel();
        }
        done.complete(RpcResponse.failure(status));
    }

    /** The client cancelled, its deadline passed, or its connection closed. */
    private void cancelled(Status status) {
        if (outbound != null) {
            outbound.cancel();
        }
        onLoop(() -> {
            if (inbound != null) {
                inbound.onEnd(status);
            }
        });
        done.complete(RpcResponse.failure(status));
    }

    /** The method's publisher completed or failed (or a message could not be sent). */
    private void outboundDone(Status status) {
        if (status.isOk()) {
            done.complete(RpcResponse.ok(Payload.EMPTY));
        } else {
            Status s = status.code() == Status.Code.UNKNOWN && status.cause() != null
                    ? failure.apply(status.cause()) // a plain exception: logged with an id, its details kept here
                    : status;
            done.complete(RpcResponse.failure(s));
        }
    }

    private void onLoop(Runnable action) {
        if (peer.loop().inEventLoop()) {
            action.run();
        } else {
            peer.loop().execute(action);
        }
    }
}
