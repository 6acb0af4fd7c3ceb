package io.outrigger.spring.boot;

import io.outrigger.core.server.RpcServer;

/**
 * Changes the {@link RpcServer.Builder} of the server exporting the {@code @RpcService} beans, after
 * the {@code outrigger.server.*} properties were applied and before the server is built. Declare one
 * or more as beans; they run in {@link org.springframework.core.annotation.Order @Order} (or {@link
 * org.springframework.core.Ordered}) order, once, when the server starts.
 *
 * <p>By then the builder's tracing, metrics and access-log slots hold the telemetry, its auth slot
 * the access control and its limits slot the rate limits and bulkheads. An {@code interceptor} added
 * here goes in the user slot, which the server chain runs after all of those, so it sees {@code
 * AccessControl.CALLER} and {@code CallAttributes.PEER_PRINCIPAL}:
 *
 * <pre>{@code
 * @Bean
 * RpcServerBuilderCustomizer auditLog() {
 *     return builder -> builder.interceptor((request, next) -> {
 *         audit.record(request.fullMethodName(), request.attributes().get(AccessControl.CALLER));
 *         return next.invoke(request);
 *     });
 * }
 * }</pre>
 *
 * <p>A setting given here replaces the property's (e.g. {@code builder.tls(...)} replaces {@code
 * outrigger.server.tls.*}, {@code builder.limits(...)} the limits of the rules, {@code
 * builder.auth(...)} the access control).
 */
@FunctionalInterface
public interface RpcServerBuilderCustomizer {

    /** Changes {@code builder}; called on the thread starting the application context. */
    void customize(RpcServer.Builder builder);
}
