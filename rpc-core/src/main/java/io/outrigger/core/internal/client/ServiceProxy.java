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
    private final Map<Method, Call> calls = new HashMap<>();

    private record Call(MethodDescriptor method, Attributes attributes) {}

    private ServiceProxy(
            ServiceDescriptor descriptor,
            Invoker chain,
            Serializers serializers,
            Executor responseExecutor,
            Metadata headers,
            Duration timeout,
            boolean propagateContext) {
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
            boolean propagateContext) {
        Class<?> type = descriptor.type();
        Object proxy = Proxy.newProxyInstance(
                type.getClassLoader(),
                new Class<?>[] {type},
                new ServiceProxy(descriptor, chain, serializers, responseExecutor, headers, timeout, propagateContext));
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
