package io.outrigger.core.service;

import java.lang.reflect.Method;

/**
 * One method of a service interface: it takes one message or a {@code Flow.Publisher} of them (and
 * optionally the call's context) and returns one message, a {@code CompletionStage} of one, or a
 * {@code Flow.Publisher} of them (see {@link MethodKind}).
 *
 * @param name the method name on the wire
 * @param requestType the request message class
 * @param responseType the response message class
 * @param async whether the Java method returns a {@code CompletionStage} or a {@code Flow.Publisher}
 *     (and so must not block)
 * @param idempotent whether the method is marked {@link Idempotent}
 * @param takesContext whether the Java method takes a {@link io.outrigger.core.CallContext} after the
 *     message (servers pass the call's; clients ignore the argument)
 * @param javaMethod the interface method
 * @param kind unary or which sides stream; {@code requestType} and {@code responseType} are the types
 *     of one message either way
 */
public record MethodDescriptor(
        String name,
        Class<?> requestType,
        Class<?> responseType,
        boolean async,
        boolean idempotent,
        boolean takesContext,
        Method javaMethod,
        MethodKind kind) {}
