package io.outrigger.core.internal.transport;

import io.outrigger.core.internal.tls.SslContextSource;
import java.time.Duration;

/**
 * Settings of the client transport, validated by the public client builder.
 *
 * @param eventLoopThreads I/O threads
 * @param connectionsPerEndpoint connections opened to each provider address
 * @param connectTimeout how long a connect may take
 * @param heartbeatInterval idle time after which a heartbeat is sent; 3x without reads closes
 * @param maxMessageSize largest message sent or received
 * @param maxMetadataSize largest metadata received
 * @param reconnectBackoffMin first delay after a failed connect
 * @param reconnectBackoffMax largest delay between connect attempts
 * @param maxQueuedBytesPerConnection request bytes waiting to be sent on one connection past which
 *     new calls there fail without being sent
 * @param tls TLS for every connection, or {@code null} for plaintext
 * @param sharedLoops event loops to run on without owning them, or {@code null} for the client's
 *     own {@code eventLoopThreads}
 */
public record ClientTransportConfig(
        int eventLoopThreads,
        int connectionsPerEndpoint,
        Duration connectTimeout,
        Duration heartbeatInterval,
        int maxMessageSize,
        int maxMetadataSize,
        Duration reconnectBackoffMin,
        Duration reconnectBackoffMax,
        long maxQueuedBytesPerConnection,
        SslContextSource tls,
        SharedEventLoops sharedLoops) {}
