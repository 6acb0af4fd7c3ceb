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
    private String serviceName;
    private Metadata headers = Metadata.empty();
    private boolean propagateContext = true;

    ReferenceBuilder(RpcClient client, Class<T> type) {
        this.client = client;
        this.type = type;
    }

    /** Timeout of each call, from the proxy call to its outcome. Default: the client's; zero means none. */
    public ReferenceBuilder<T> timeout(Duration timeout) {
        this.timeout = io.outrigger.core.internal.Checks.nonNegative("timeout", timeout);
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
        return client.createProxy(type, serviceName, timeout, headers, propagateContext);
    }
}
