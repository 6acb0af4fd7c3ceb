package io.outrigger.core.internal.client;

import io.outrigger.core.Attributes;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.Deadline;
import io.outrigger.core.Invoker;
import io.outrigger.core.Metadata;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.internal.Cancellation;
import io.outrigger.core.internal.stream.StreamHandler;
import io.outrigger.core.service.MethodDescriptor;
import io.outrigger.core.service.ServiceDescriptor;
import io.outrigger.serialization.Serializers;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * The dynamic proxy behind a referenced service interface: turns a Java call into an {@link
 * RpcRequest}, runs it through the client chain, and turns the response back into the method's
 * return value or an {@link RpcException}.
 *
 * <p>Synchronous methods wait on the caller's thread and decode the reply there (off the event
 * loop). Asynchronous methods complete their stage on the client's response executor.
 *
 * <p>Cancellation: each call carries a {@link Cancellation}. Cancelling the future an asynchronous
 * method returned, or interrupting the thread a synchronous one waits on, cancels it: the call
 * completes {@code CANCELLED} at once and the provider is told to stop.
 */
public final class ServiceProxy implements InvocationHandler {

    private final ServiceDescriptor descriptor;
    private final Invoker chain;
    private final Serializers serializers;
    private final Executor responseExecutor;
    private final Metadata headers;
    private final long timeoutNanos;
    private final long streamTimeoutNanos;
    private final Map<Method, Call> calls = new HashMap<>();

    private record Call(MethodDescriptor method, Attributes attributes) {}

    private ServiceProxy(
            ServiceDescriptor descriptor,
            Invoker chain,
            Serializers serializers,
            Executor responseExecutor,
            Metadata headers,
            Duration timeout,
            Duration streamTimeout,
            boolean propagateContext) {
        this.streamTimeoutNanos = streamTimeout.isZero() ? 0 : streamTimeout.toNanos();
        this.descriptor = descriptor;
        this.chain = chain;
        this.serializers = serializers;
        this.responseExecutor = responseExecutor;
        this.headers = headers;
        this.timeoutNanos = timeout.isZero() ? 0 : timeout.toNanos();
        for (MethodDescriptor m : descriptor.methods().values()) {
            Attributes attributes = Attributes.empty().with(CallAttributes.IDEMPOTENT, m.idempotent());
            if (!propagateContext) {
                attributes = attributes.with(CallAttributes.PROPAGATE_CONTEXT, false);
            }
            calls.put(m.javaMethod(), new Call(m, attributes));
        }
    }

    /** A proxy implementing {@code descriptor.type()} over {@code chain}. */
    public static <T> T create(
            ServiceDescriptor descriptor,
            Invoker chain,
            Serializers serializers,
            Executor responseExecutor,
            Metadata headers,
            Duration timeout,
            Duration streamTimeout,
            boolean propagateContext) {
        Class<?> type = descriptor.type();
        Object proxy = Proxy.newProxyInstance(
                type.getClassLoader(),
                new Class<?>[] {type},
                new ServiceProxy(
                        descriptor,
                        chain,
                        serializers,
                        responseExecutor,
                        headers,
                        timeout,
                        streamTimeout,
                        propagateContext));
        @SuppressWarnings("unchecked")
        T t = (T) proxy;
        return t;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        Call call = calls.get(method);
        if (call == null) {
            return objectMethod(proxy, method, args);
        }
        if (args[0] == null) {
            throw new NullPointerException(descriptor.name() + "/" + call.method.name() + ": request message is null");
        }
        if (call.method.kind().isStreaming()) {
            return stream(call, args[0]);
        }
        Deadline deadline = timeoutNanos == 0 ? Deadline.NONE : Deadline.afterNanos(timeoutNanos);
        Cancellation cancellation = new Cancellation();
        RpcRequest request = new RpcRequest(
                descriptor.name(),
                call.method.name(),
                headers,
                deadline,
                Payload.of(args[0]),
                call.attributes.with(Cancellation.KEY, cancellation));
        CompletableFuture<RpcResponse> future = chain.invoke(request).toCompletableFuture();
        Class<?> responseType = call.method.responseType();
        if (call.method.async()) {
            CallFuture result = new CallFuture(cancellation, request.fullMethodName());
            if (responseExecutor == null) {
                future.whenComplete((response, error) -> result.settle(response, error, responseType));
            } else {
                future.whenCompleteAsync(
                        (response, error) -> result.settle(response, error, responseType), responseExecutor);
            }
            return result;
        }
        RpcResponse response;
        try {
            response = future.get();
        } catch (InterruptedException e) {
            cancellation.cancel(
                    Status.CANCELLED.withDescription(request.fullMethodName() + ": the caller was interrupted"));
            Thread.currentThread().interrupt();
            throw RpcException.of(
                    Status.CANCELLED.withDescription(request.fullMethodName() + ": interrupted while waiting"));
        } catch (ExecutionException e) {
            throw RpcException.of(Status.fromThrowable(e.getCause()));
        }
        return decode(response, responseType);
    }

    /**
     * A streaming method: a cold {@code Flow.Publisher} of the answers (each subscription opens a
     * stream) or, for a client-streaming method, the stage of its one answer (the stream opens now).
     * A stream has no deadline unless the reference's {@code streamTimeout} or the call it is made for
     * gives one; its messages are never
     * retried once one was sent or received (only failures that say the stream was not opened are).
     */
    private Object stream(Call call, Object argument) {
        MethodDescriptor method = call.method;
        Attributes attributes =
                call.attributes.with(CallAttributes.IDEMPOTENT, false).with(CallAttributes.METHOD_KIND, method.kind());
        Flow.Publisher<?> source = method.kind().clientStreams() ? (Flow.Publisher<?>) argument : null;
        Payload payload = source == null ? Payload.of(argument) : Payload.EMPTY;
        if (!method.kind().serverStreams()) {
            Cancellation cancellation = new Cancellation();
            ClientStreamCall stream =
                    new ClientStreamCall(cancellation, method.responseType(), false, source, serializers);
            RpcRequest request = streamRequest(method, payload, attributes, cancellation, stream);
            CallFuture result = new CallFuture(cancellation, request.fullMethodName());
            CompletableFuture<RpcResponse> future = chain.invoke(request).toCompletableFuture();
            future.whenComplete(stream::ended);
            if (responseExecutor == null) {
                future.whenComplete((response, error) -> result.settle(response, error, method.responseType()));
            } else {
                future.whenCompleteAsync(
                        (response, error) -> result.settle(response, error, method.responseType()), responseExecutor);
            }
            return result;
        }
        return (Flow.Publisher<Object>) subscriber -> {
            java.util.Objects.requireNonNull(subscriber, "subscriber");
            Cancellation cancellation = new Cancellation();
            ClientStreamCall stream =
                    new ClientStreamCall(cancellation, method.responseType(), true, source, serializers);
            stream.inbound.subscribe(subscriber);
            RpcRequest request = streamRequest(method, payload, attributes, cancellation, stream);
            chain.invoke(request).whenComplete(stream::ended);
        };
    }

    private RpcRequest streamRequest(
            MethodDescriptor method,
            Payload payload,
            Attributes attributes,
            Cancellation cancellation,
            ClientStreamCall stream) {
        return new RpcRequest(
                descriptor.name(),
                method.name(),
                headers,
                streamTimeoutNanos == 0 ? Deadline.NONE : Deadline.afterNanos(streamTimeoutNanos),
                payload,
                attributes
                        .with(Cancellation.KEY, cancellation)
                        .with(StreamHandler.KEY, stream)
                        .with(CallAttributes.STREAM_PROGRESS, stream));
    }

    private Object decode(RpcResponse response, Class<?> responseType) {
        if (!response.isOk()) {
            throw RpcException.of(response.status());
        }
        return response.payload().decode(responseType, serializers);
    }

    /** The stage an asynchronous method returns: the decoded reply, or the call's failure. */
    private final class CallFuture extends CancellingFuture<Object> {

        CallFuture(Cancellation cancellation, String what) {
            super(cancellation, what);
        }

        void settle(RpcResponse response, Throwable error, Class<?> responseType) {
            try {
                if (error != null) {
                    throw error instanceof CompletionException ? error : new CompletionException(error);
                }
                complete(decode(response, responseType));
            } catch (CompletionException e) {
                completeExceptionally(e);
            } catch (Throwable t) {
                completeExceptionally(new CompletionException(t));
            }
        }
    }

    private Object objectMethod(Object proxy, Method method, Object[] args) {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            case "toString":
                return "proxy of " + descriptor.name();
            default:
                throw new UnsupportedOperationException(method.toString());
        }
    }
}
