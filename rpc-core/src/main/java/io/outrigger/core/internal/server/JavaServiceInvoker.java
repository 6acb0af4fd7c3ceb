package io.outrigger.core.internal.server;

import io.outrigger.core.CallContext;
import io.outrigger.core.Invoker;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.internal.stream.StreamPeer;
import io.outrigger.core.service.MethodDescriptor;
import io.outrigger.core.service.MethodKind;
import io.outrigger.core.service.ServiceDescriptor;
import io.outrigger.serialization.Serializers;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs calls on a Java implementation of a service interface: decodes the request message, calls the
 * method, and turns its result (or exception) into a response.
 *
 * <p>Failures: an {@link RpcException} thrown by the method is sent as its status (code and
 * description, never its local cause: a nested call's "not run" does not mean this call did not
 * run). Any other exception is a bug the caller cannot act on and must not learn the details of:
 * it is logged with a fresh error id, and the caller gets {@code INTERNAL} naming the id, unless the
 * server opted in to sending the exception's class and message.
 */
final class JavaServiceInvoker implements Invoker {

    private static final Logger log = LoggerFactory.getLogger(JavaServiceInvoker.class);
    private static final MethodType GENERIC = MethodType.methodType(Object.class, Object.class, Object.class);
    private static final MethodType WITH_CONTEXT =
            MethodType.methodType(Object.class, Object.class, Object.class, CallContext.class);

    private record Target(MethodDescriptor method, MethodHandle handle) {}

    private final ServiceDescriptor descriptor;
    private final Object implementation;
    private final Serializers serializers;
    private final boolean sendErrorDetails;
    private final Map<String, Target> targets = new HashMap<>();

    JavaServiceInvoker(
            ServiceDescriptor descriptor, Object implementation, Serializers serializers, boolean sendErrorDetails) {
        if (!descriptor.type().isInstance(implementation)) {
            throw new IllegalArgumentException(implementation.getClass().getName() + " does not implement "
                    + descriptor.type().getName());
        }
        this.descriptor = descriptor;
        this.implementation = implementation;
        this.serializers = serializers;
        this.sendErrorDetails = sendErrorDetails;
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        for (MethodDescriptor m : descriptor.methods().values()) {
            try {
                MethodHandle handle =
                        lookup.unreflect(m.javaMethod()).asType(m.takesContext() ? WITH_CONTEXT : GENERIC);
                targets.put(m.name(), new Target(m, handle));
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException(
                        "cannot call " + m.javaMethod() + ": the service interface must be public", e);
            }
        }
    }

    /** The methods this service has, for error messages. */
    String methodNames() {
        return String.join(", ", new java.util.TreeSet<>(targets.keySet()));
    }

    /** Whether {@code method} returns a stage (and so must not block), or is unknown (answered at once). */
    boolean isNonBlocking(String method) {
        Target target = targets.get(method);
        return target == null || target.method.async();
    }

    @Override
    public CompletionStage<RpcResponse> invoke(RpcRequest request) {
        Target target = targets.get(request.method());
        if (target == null) {
            return CompletableFuture.completedFuture(
                    RpcResponse.failure(Status.UNIMPLEMENTED.withDescription("unknown method "
                            + request.fullMethodName() + "; " + descriptor.name() + " has: " + methodNames())));
        }
        StreamPeer peer = request.attributes().get(StreamPeer.KEY);
        if (peer != null || target.method.kind().isStreaming()) {
            return invokeStream(target, request, peer);
        }
        Object result;
        try {
            Object argument = request.payload().decode(target.method.requestType(), serializers);
            result = target.method.takesContext()
                    ? (Object) target.handle.invokeExact(implementation, argument, contextOf(request))
                    : (Object) target.handle.invokeExact(implementation, argument);
        } catch (Throwable t) {
            return CompletableFuture.completedFuture(RpcResponse.failure(failure(request, t)));
        }
        if (!target.method.async()) {
            return CompletableFuture.completedFuture(ok(request, result));
        }
        if (result == null) {
            return CompletableFuture.completedFuture(RpcResponse.failure(
                    Status.INTERNAL.withDescription(request.fullMethodName() + " returned a null CompletionStage")));
        }
        return ((CompletionStage<?>) result)
                .handle((value, error) ->
                        error != null ? RpcResponse.failure(failure(request, unwrap(error))) : ok(request, value));
    }

    /** Runs a streaming method on the stream {@code peer} (see {@link ServerStreamCall}). */
    private CompletionStage<RpcResponse> invokeStream(Target target, RpcRequest request, StreamPeer peer) {
        MethodKind kind = target.method.kind();
        if (peer == null) {
            return CompletableFuture.completedFuture(RpcResponse.failure(
                    Status.UNIMPLEMENTED.withDescription(request.fullMethodName() + " is a " + describe(kind)
                            + " method: open a stream to call it (it" + " does not answer a unary request)")));
        }
        if (!kind.isStreaming()) {
            return CompletableFuture.completedFuture(RpcResponse.failure(Status.UNIMPLEMENTED.withDescription(
                    request.fullMethodName() + " is a unary method: send a request, not a stream")));
        }
        boolean opensWithMessage = request.payload() instanceof Payload.Encoded e && e.serializerId() != 0;
        if (opensWithMessage == kind.clientStreams()) {
            return CompletableFuture.completedFuture(RpcResponse.failure(Status.INVALID_ARGUMENT.withDescription(
                    request.fullMethodName() + " is a " + describe(kind) + " method: the frame that opens its stream"
                            + (kind.clientStreams()
                                    ? " carries no message (messages follow, within credit)"
                                    : " carries its one request message"))));
        }
        ServerStreamCall call = new ServerStreamCall(
                peer, request, kind, target.method.requestType(), serializers, t -> failure(request, t));
        peer.receive(call);
        Object result;
        try {
            Object argument = kind.clientStreams()
                    ? call.inbound
                    : request.payload().decode(target.method.requestType(), serializers);
            result = target.method.takesContext()
                    ? (Object) target.handle.invokeExact(implementation, argument, contextOf(request))
                    : (Object) target.handle.invokeExact(implementation, argument);
        } catch (Throwable t) {
            call.fail(failure(request, t));
            return call.done;
        }
        if (result == null) {
            call.fail(Status.INTERNAL.withDescription(request.fullMethodName() + " returned null; a streaming method"
                    + " returns a " + (kind.serverStreams() ? "Flow.Publisher" : "CompletionStage")));
            return call.done;
        }
        if (kind.serverStreams()) {
            ((Flow.Publisher<?>) result).subscribe(call.outbound);
        } else {
            ((CompletionStage<?>) result)
                    .whenComplete((value, error) -> call.done.complete(
                            error != null ? RpcResponse.failure(failure(request, unwrap(error))) : ok(request, value)));
        }
        return call.done;
    }

    private static String describe(MethodKind kind) {
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    /** The context the dispatcher made current for this call (or one made here, for direct use in tests). */
    private static CallContext contextOf(RpcRequest request) {
        CallContext current = CallContext.current();
        return current != null && current.attributes() == request.attributes() ? current : CallContext.of(request);
    }

    private static RpcResponse ok(RpcRequest request, Object value) {
        if (value == null) {
            return RpcResponse.failure(Status.INTERNAL.withDescription(
                    request.fullMethodName() + " returned null; a service method must return a message"));
        }
        return RpcResponse.ok(Payload.of(value));
    }

    private Status failure(RpcRequest request, Throwable t) {
        if (t instanceof RpcException e) {
            Status status = e.status();
            return Status.of(status.code()).withDescription(status.description());
        }
        String id = errorId();
        log.warn("{} threw (error id {})", request.fullMethodName(), id, t);
        String message = t.getMessage();
        String description = sendErrorDetails
                ? request.fullMethodName() + " threw " + t.getClass().getName()
                        + (message == null ? "" : ": " + message) + " (error id " + id + ")"
                : request.fullMethodName() + " failed with an internal error (error id " + id
                        + "); the details are in the provider's log under that id";
        // The cause is local only (never sent): lets server interceptors record the exception, e.g. on a span.
        return Status.INTERNAL.withDescription(description).withCause(t);
    }

    /** Eight hex digits: enough to find one line in a day of logs, short enough to read out. */
    private static String errorId() {
        return String.format(
                "%08x", java.util.concurrent.ThreadLocalRandom.current().nextInt());
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
