package io.outrigger.core.service;

import java.lang.reflect.Method;

/**
 * One method of a service interface: it takes one message and returns one message (or a {@code
 * CompletionStage} of one).
 *
 * @param name the method name on the wire
 * @param requestType the request message class
 * @param responseType the response message class
 * @param async whether the Java method returns a {@code CompletionStage}
 * @param idempotent whether the method is marked {@link Idempotent}
 * @param javaMethod the interface method
 */
public record MethodDescriptor(
        String name,
        Class<?> requestType,
        Class<?> responseType,
        boolean async,
        boolean idempotent,
        Method javaMethod) {}
