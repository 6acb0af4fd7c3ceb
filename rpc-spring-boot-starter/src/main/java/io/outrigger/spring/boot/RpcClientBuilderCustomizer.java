package io.outrigger.spring.boot;

import io.outrigger.core.client.RpcClient;

/**
 * Changes the {@link RpcClient.Builder} of each client behind the {@code @RpcReference} proxies
 * (one per distinct version and group), after the {@code outrigger.client.*} properties and the
 * governance were applied and before the client is built. Declare one or more as beans; they run in
 * {@link org.springframework.core.annotation.Order @Order} (or {@link
 * org.springframework.core.Ordered}) order, each time a client is built.
 *
 * <p>An {@code interceptor} added here runs after those added before it: the bearer token of {@code
 * outrigger.client.bearer-token}, then the customizers' in their order. A setting given here replaces
 * the property's (e.g. {@code builder.tls(...)} replaces {@code outrigger.client.tls.*}).
 *
 * <pre>{@code
 * @Bean
 * @Order(1)
 * RpcClientBuilderCustomizer tenantHeader() {
 *     return builder -> builder.interceptor((request, next) -> next.invoke(request.withHeader("tenant", "eu")));
 * }
 * }</pre>
 */
@FunctionalInterface
public interface RpcClientBuilderCustomizer {

    /** Changes {@code builder}; called on the thread injecting the first reference of the client. */
    void customize(RpcClient.Builder builder);
}
