package io.outrigger.core.client;

import io.outrigger.core.Metadata;
import java.time.Duration;

/**
 * Configures one reference to a service interface. Not thread-safe; the proxy it builds is.
 *
 * <pre>{@code
 * UserService users = client.reference(UserService.class)
 *         .timeout(Duration.ofMillis(300))
 *         .header("outrigger-tag", "canary")
 *         .build();
 * }</pre>
 */
public final class ReferenceBuilder<T> {

    private final RpcClient client;
    private final Class<T> type;
    private Duration timeout;
    private Duration streamTimeout = Duration.ZERO;
    private String serviceName;
    private Metadata headers = Metadata.empty();
    private boolean propagateContext = true;

    ReferenceBuilder(RpcClient client, Class<T> type) {
        this.client = client;
        this.type = type;
    }

    /**
     * Timeout of each unary call, from the proxy call to its outcome. Default: the client's; zero means
     * none. Streams have their own, {@link #streamTimeout}.
     */
    public ReferenceBuilder<T> timeout(Duration timeout) {
        this.timeout = io.outrigger.core.internal.Checks.nonNegative("timeout", timeout);
        return this;
    }

    /**
     * Deadline of each stream of a streaming method, from its start (the subscription, or the call of
     * a client-streaming method) to its end; at the deadline the stream fails with {@code
     * DEADLINE_EXCEEDED} and the provider is told to stop. Default: zero, none: a stream lasts as
     * long as both sides want (it still ends with the call it is made for, if that one has a
     * deadline or is cancelled). {@link #timeout} applies to unary calls only.
     */
    public ReferenceBuilder<T> streamTimeout(Duration timeout) {
        this.streamTimeout = io.outrigger.core.internal.Checks.nonNegative("streamTimeout", timeout);
        return this;
    }

    /** The service name to call, overriding {@code @ServiceName} or the interface name. */
    public ReferenceBuilder<T> serviceName(String name) {
        if (name == null || name.isEmpty() || name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("serviceName: \"" + name + "\" (expected: non-empty, without '/')");
        }
        this.serviceName = name;
        return this;
    }

    /** A metadata entry sent with every call of this reference. */
    public ReferenceBuilder<T> header(String key, String value) {
        this.headers = headers.with(key, value);
        return this;
    }

    /**
     * Whether calls of this reference made while serving a call inherit from its context (deadline,
     * propagated keys, cancellation; see {@code RpcClient.Builder#propagateContext}). Default: true,
     * unless the client turned propagation off. False for calls that must outlive the call they
     * are made from (a write-behind, an audit record).
     */
    public ReferenceBuilder<T> propagateContext(boolean propagate) {
        this.propagateContext = propagate;
        return this;
    }

    /**
     * The proxy.
     *
     * @throws IllegalArgumentException if the interface breaks the service rules
     */
    public T build() {
        return client.createProxy(type, serviceName, timeout, streamTimeout, headers, propagateContext);
    }
}
