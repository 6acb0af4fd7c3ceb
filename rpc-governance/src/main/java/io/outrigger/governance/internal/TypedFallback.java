package io.outrigger.governance.internal;

import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.governance.Fallback;
import io.outrigger.serialization.Serializers;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link Fallback} backed by an implementation of the service interface: the method named by the
 * request is invoked reflectively with the request message. Methods are looked up once, when this is
 * built. Thread-safe if the implementation is.
 */
public final class TypedFallback<T> implements Fallback {

    private final Class<T> iface;
    private final T implementation;
    private final Map<String, Method> methods;

    /** Invokes {@code implementation} through the methods of {@code iface}. */
    public TypedFallback(Class<T> iface, T implementation) {
        Objects.requireNonNull(iface, "serviceInterface");
        Objects.requireNonNull(implementation, "implementation");
        if (!iface.isInterface()) {
            throw new IllegalArgumentException("serviceInterface: " + iface.getName() + " (expected: an interface)");
        }
        if (!iface.isInstance(implementation)) {
            throw new IllegalArgumentException(
                    "implementation: " + implementation.getClass().getName() + " (expected: an implementation of "
                            + iface.getName() + ")");
        }
        this.iface = iface;
        this.implementation = implementation;
        Map<String, Method> byName = new HashMap<>();
        for (Method m : iface.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || m.getParameterCount() > 1) {
                continue;
            }
            byName.putIfAbsent(m.getName(), m);
        }
        this.methods = Map.copyOf(byName);
    }

    @Override
    public CompletionStage<RpcResponse> apply(RpcRequest request, Status failure) {
        Method m = methods.get(request.method());
        if (m == null) {
            return Calls.completed(RpcResponse.failure(Status.UNIMPLEMENTED.withDescription(
                    "fallback " + iface.getName() + " has no method " + request.method())));
        }
        Object result;
        try {
            Object[] args = m.getParameterCount() == 0
                    ? new Object[0]
                    : new Object[] {request.payload().decode(m.getParameterTypes()[0], Serializers.defaults())};
            result = m.invoke(implementation, args);
        } catch (InvocationTargetException e) {
            return Calls.completed(Calls.failure(e.getCause()));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Calls.completed(Calls.failure(e));
        }
        if (result instanceof CompletionStage<?> stage) {
            return stage.handle((value, err) -> err != null ? Calls.failure(err) : response(request, value));
        }
        if (m.getReturnType() == void.class) {
            return CompletableFuture.completedFuture(RpcResponse.ok(Payload.EMPTY));
        }
        return CompletableFuture.completedFuture(response(request, result));
    }

    private RpcResponse response(RpcRequest request, Object value) {
        if (value == null) {
            return RpcResponse.failure(Status.INTERNAL.withDescription(
                    "fallback " + iface.getName() + "." + request.method() + " returned null"));
        }
        return RpcResponse.ok(value instanceof Payload p ? p : Payload.of(value));
    }

    @Override
    public String toString() {
        return "fallback " + implementation.getClass().getName() + " of " + iface.getName();
    }
}
