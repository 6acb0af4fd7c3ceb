package io.outrigger.core;

import java.util.Objects;

/**
 * One call: the service and method it names, string {@link Metadata} that travels with it, the
 * {@link Deadline} by which it must finish, its {@link Payload}, and local {@link Attributes}.
 *
 * <p>Immutable; interceptors derive changed copies with the {@code with*} methods.
 *
 * @param service the language-neutral service name, e.g. {@code demo.UserService}
 * @param method the method name, e.g. {@code getUser}
 * @param metadata headers sent with the request
 * @param deadline when the caller stops waiting; sent as remaining time
 * @param payload the request message
 * @param attributes local values, never sent
 */
public record RpcRequest(
        String service, String method, Metadata metadata, Deadline deadline, Payload payload, Attributes attributes) {

    public RpcRequest {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(attributes, "attributes");
    }

    /** A request with no metadata, no deadline and no attributes. */
    public static RpcRequest of(String service, String method, Payload payload) {
        return new RpcRequest(service, method, Metadata.empty(), Deadline.NONE, payload, Attributes.empty());
    }

    public RpcRequest withMetadata(Metadata metadata) {
        return new RpcRequest(service, method, metadata, deadline, payload, attributes);
    }

    /** A copy with one metadata entry set. */
    public RpcRequest withHeader(String key, String value) {
        return withMetadata(metadata.with(key, value));
    }

    public RpcRequest withDeadline(Deadline deadline) {
        return new RpcRequest(service, method, metadata, deadline, payload, attributes);
    }

    public RpcRequest withPayload(Payload payload) {
        return new RpcRequest(service, method, metadata, deadline, payload, attributes);
    }

    public RpcRequest withAttributes(Attributes attributes) {
        return new RpcRequest(service, method, metadata, deadline, payload, attributes);
    }

    /** A copy with one attribute set. */
    public <T> RpcRequest withAttribute(Attributes.Key<T> key, T value) {
        return withAttributes(attributes.with(key, value));
    }

    /** {@code service/method}, for logs and errors. */
    public String fullMethodName() {
        return service + '/' + method;
    }

    @Override
    public String toString() {
        return "RpcRequest[" + fullMethodName() + ", " + metadata + ", " + deadline + ", " + payload + "]";
    }
}
