package io.outrigger.core.service;

import java.lang.reflect.Method;

/**
 * One method of a service interface: it takes one message (and optionally the call's context) and
 * returns one message (or a {@code CompletionStage} of one).
 *
 * @param name the method name on the wire
 * @param requestType the request message class
 * @param responseType the response message class
 * @param async whether the Java method returns a {@code CompletionStage}
 * @param idempotent whether the method is marked {@link Idempotent}
 * @param takesContext whether the Java method takes a {@link io.outrigger.core.CallContext} after the
 *     message (servers pass the call's; clients ignore the argument)
 * @param javaMethod the interface method
 */
public record MethodDescriptor(
        String name,
        Class<?> requestType,
        Class<?> responseType,
        boolean async,
        boolean idempotent,
        boolean takesContext,
        Method javaMethod) {}
