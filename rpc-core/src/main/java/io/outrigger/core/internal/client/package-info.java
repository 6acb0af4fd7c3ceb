/**
 * Implementation details of {@code rpc-core}'s client: the client chain ({@link
 * io.outrigger.core.internal.client.ClientChain}, the one place its order is written down), the
 * per-service chains, the cluster invoker over the registry's instances, the dynamic proxies of
 * referenced interfaces and the futures that cancel their calls.
 *
 * <p>Not an API: anything here may change or disappear in any release, without notice.
 */
package io.outrigger.core.internal.client;
