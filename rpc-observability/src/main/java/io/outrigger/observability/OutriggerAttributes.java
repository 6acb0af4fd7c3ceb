package io.outrigger.observability;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The attribute keys Outrigger puts on spans and metrics besides the OpenTelemetry semantic
 * conventions ({@code rpc.system.name}, {@code rpc.method}, {@code rpc.status_code}, {@code
 * server.address}, {@code server.port}, {@code client.address}, {@code error.type}; see {@code
 * docs/observability.md}).
 */
public final class OutriggerAttributes {

    /** The value of {@code rpc.system.name} on every Outrigger span and metric. */
    public static final String RPC_SYSTEM = "outrigger";

    /** The service alone, e.g. {@code demo.UserService} ({@code rpc.method} holds {@code service/method}). */
    public static final AttributeKey<String> SERVICE = AttributeKey.stringKey("rpc.outrigger.service");

    /** On an attempt span: the 1-based number of the attempt ({@code CallAttributes.ATTEMPT}). */
    public static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("rpc.outrigger.attempt");

    /** On a client call span: how many attempts the call made (present when attempts are traced). */
    public static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("rpc.outrigger.attempts");

    /** On the span of a stream: the messages this side sent on it. */
    public static final AttributeKey<Long> MESSAGES_SENT = AttributeKey.longKey("rpc.outrigger.messages_sent");

    /** On the span of a stream: the messages this side received on it. */
    public static final AttributeKey<Long> MESSAGES_RECEIVED = AttributeKey.longKey("rpc.outrigger.messages_received");

    /** On {@code outrigger.*.calls.rejected}: why a call was refused; see {@link RejectionReason}. */
    public static final AttributeKey<String> REJECTION_REASON = AttributeKey.stringKey("outrigger.rejection.reason");

    /**
     * On {@code outrigger.breaker.transitions} and {@code outrigger.breaker.state}: the breaker's
     * name ({@code service/method} or {@code service@host:port}).
     */
    public static final AttributeKey<String> BREAKER = AttributeKey.stringKey("outrigger.breaker.name");

    /** On {@code outrigger.breaker.transitions}: the state left, e.g. {@code CLOSED}. */
    public static final AttributeKey<String> BREAKER_FROM = AttributeKey.stringKey("outrigger.breaker.from");

    /** On {@code outrigger.breaker.transitions}: the state entered, e.g. {@code OPEN}. */
    public static final AttributeKey<String> BREAKER_TO = AttributeKey.stringKey("outrigger.breaker.to");

    /** On {@code outrigger.breaker.state}: a state ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, ...). */
    public static final AttributeKey<String> BREAKER_STATE = AttributeKey.stringKey("outrigger.breaker.state");

    /** On {@code outrigger.registry.connected}: the registry's name, e.g. {@code zookeeper}. */
    public static final AttributeKey<String> REGISTRY = AttributeKey.stringKey("outrigger.registry.name");

    private OutriggerAttributes() {}
}
