package io.outrigger.core.service;

import io.outrigger.core.CallContext;
import io.outrigger.serialization.Serializers;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A service interface checked against the rules that make it callable from any language: each
 * method takes exactly one message or a {@code Flow.Publisher} of them (optionally followed by a
 * {@link CallContext}, which never travels: the server passes the call's own) and returns one
 * message, a {@code CompletionStage} of one or a {@code Flow.Publisher} of them ({@link
 * MethodKind}), and method names are unique. Messages are types a serializer supports (protobuf {@code Message}s,
 * Thrift {@code TBase}s).
 *
 * <p>Immutable. Built once at export or refer time; a broken rule fails there, with a message naming
 * the method.
 */
public final class ServiceDescriptor {

    private final String name;
    private final Class<?> type;
    private final Map<String, MethodDescriptor> methods;

    private ServiceDescriptor(String name, Class<?> type, Map<String, MethodDescriptor> methods) {
        this.name = name;
        this.type = type;
        this.methods = Collections.unmodifiableMap(methods);
    }

    /**
     * Describes {@code type} with the default serializers.
     *
     * @throws IllegalArgumentException naming the offending method and the rule it breaks
     */
    public static ServiceDescriptor of(Class<?> type) {
        return of(type, Serializers.defaults());
    }

    /**
     * Describes {@code type}, checking message types against {@code serializers}.
     *
     * @throws IllegalArgumentException naming the offending method and the rule it breaks
     */
    public static ServiceDescriptor of(Class<?> type, Serializers serializers) {
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type.getName()
                    + " is not an interface: a service is a Java interface whose methods take and return messages");
        }
        ServiceName annotation = type.getAnnotation(ServiceName.class);
        String name = annotation != null ? annotation.value() : type.getName();
        if (name.isEmpty() || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException(
                    type.getName() + ": service name \"" + name + "\" (expected: non-empty, without '/')");
        }
        Map<String, MethodDescriptor> methods = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Method m : type.getMethods()) {
            if (m.isDefault() || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            String where = type.getSimpleName() + "." + m.getName();
            if (methods.containsKey(m.getName())) {
                problems.add(where + " is overloaded: service method names must be unique");
                continue;
            }
            boolean takesContext = m.getParameterCount() == 2 && m.getParameterTypes()[1] == CallContext.class;
            if (m.getParameterCount() != 1 && !takesContext) {
                problems.add(where + " takes " + m.getParameterCount()
                        + " parameters: a service method takes exactly one message, optionally followed by a"
                        + " CallContext");
                continue;
            }
            boolean clientStreams = m.getParameterTypes()[0] == Flow.Publisher.class;
            Class<?> requestType =
                    clientStreams ? typeArgument(m.getGenericParameterTypes()[0]) : m.getParameterTypes()[0];
            if (requestType == null || !serializers.supports(requestType)) {
                problems.add(where + " takes a " + m.getGenericParameterTypes()[0].getTypeName()
                        + ", which no serializer supports (expected: a protobuf Message or a Thrift TBase, or a"
                        + " Flow.Publisher of one)");
                continue;
            }
            boolean serverStreams = m.getReturnType() == Flow.Publisher.class;
            boolean stage = CompletionStage.class.isAssignableFrom(m.getReturnType());
            if (stage
                    && !CompletionStage.class.equals(m.getReturnType())
                    && !java.util.concurrent.CompletableFuture.class.equals(m.getReturnType())) {
                problems.add(where + " returns " + m.getReturnType().getName()
                        + ": an asynchronous method returns CompletionStage<message> or CompletableFuture<message>");
                continue;
            }
            if (clientStreams && !serverStreams && !stage) {
                problems.add(where + " takes a Flow.Publisher and returns "
                        + m.getGenericReturnType().getTypeName()
                        + ": a client-streaming method returns a CompletionStage of its one answer, or a"
                        + " Flow.Publisher for a stream each way (it must not block while the stream comes in)");
                continue;
            }
            Class<?> responseType = stage || serverStreams ? typeArgument(m.getGenericReturnType()) : m.getReturnType();
            if (responseType == null || !serializers.supports(responseType)) {
                problems.add(where + " returns " + m.getGenericReturnType().getTypeName()
                        + ": a service method returns a message, a CompletionStage of one or a Flow.Publisher"
                        + " of them (a protobuf Message or a Thrift TBase)");
                continue;
            }
            methods.put(
                    m.getName(),
                    new MethodDescriptor(
                            m.getName(),
                            requestType,
                            responseType,
                            stage || serverStreams,
                            m.isAnnotationPresent(Idempotent.class),
                            takesContext,
                            m,
                            MethodKind.of(clientStreams, serverStreams)));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("service interface " + type.getName() + " breaks the service rules: "
                    + String.join("; ", problems));
        }
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("service interface " + type.getName() + " has no methods");
        }
        return new ServiceDescriptor(name, type, methods);
    }

    private static Class<?> typeArgument(Type type) {
        if (type instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> c) {
            return c;
        }
        return null;
    }

    /** The same service under another name. */
    public ServiceDescriptor withName(String name) {
        return new ServiceDescriptor(name, type, methods);
    }

    /** The language-neutral service name. */
    public String name() {
        return name;
    }

    /** The Java interface. */
    public Class<?> type() {
        return type;
    }

    /** The methods by name, in declaration order. */
    public Map<String, MethodDescriptor> methods() {
        return methods;
    }

    /** The method named {@code name}, or {@code null}. */
    public MethodDescriptor method(String name) {
        return methods.get(name);
    }

    @Override
    public String toString() {
        return name + methods.keySet();
    }
}
