package io.outrigger.core.internal.server;

import io.outrigger.core.Invoker;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.service.MethodDescriptor;
import io.outrigger.core.service.ServiceDescriptor;
import io.outrigger.serialization.Serializers;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs calls on a Java implementation of a service interface: decodes the request message, calls the
 * method, and turns its result (or exception) into a response.
 */
final class JavaServiceInvoker implements Invoker {

    private static final Logger log = LoggerFactory.getLogger(JavaServiceInvoker.class);
    private static final MethodType GENERIC = MethodType.methodType(Object.class, Object.class, Object.class);

    private record Target(MethodDescriptor method, MethodHandle handle) {}

    private final ServiceDescriptor descriptor;
    private final Object implementation;
    private final Serializers serializers;
    private final Map<String, Target> targets = new HashMap<>();

    JavaServiceInvoker(ServiceDescriptor descriptor, Object implementation, Serializers serializers) {
        if (!descriptor.type().isInstance(implementation)) {
            throw new IllegalArgumentException(implementation.getClass().getName() + " does not implement "
                    + descriptor.type().getName());
        }
        this.descriptor = descriptor;
        this.implementation = implementation;
        this.serializers = serializers;
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        for (MethodDescriptor m : descriptor.methods().values()) {
            try {
                MethodHandle handle = lookup.unreflect(m.javaMethod()).asType(GENERIC);
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
        Object result;
        try {
            Object argument = request.payload().decode(target.method.requestType(), serializers);
            result = target.handle.invokeExact(implementation, argument);
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

    private static RpcResponse ok(RpcRequest request, Object value) {
        if (value == null) {
            return RpcResponse.failure(Status.INTERNAL.withDescription(
                    request.fullMethodName() + " returned null; a service method must return a message"));
        }
        return RpcResponse.ok(Payload.of(value));
    }

    private static Status failure(RpcRequest request, Throwable t) {
        if (t instanceof RpcException e) {
            return e.status();
        }
        log.warn("{} threw", request.fullMethodName(), t);
        String message = t.getMessage();
        return Status.UNKNOWN
                .withDescription(request.fullMethodName() + " threw "
                        + t.getClass().getName() + (message == null ? "" : ": " + message))
                // Local only (never sent): lets server interceptors record the exception, e.g. on a span.
                .withCause(t);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
