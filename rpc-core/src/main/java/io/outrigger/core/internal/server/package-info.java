/**
 * Implementation details of {@code rpc-core}'s server: the server chain ({@link
 * io.outrigger.core.internal.server.ServerChain}, the one place its order is written down), the
 * dispatcher and the business executor, the calls and connections a server holds, and the
 * invoker of Java service implementations.
 *
 * <p>Not an API: anything here may change or disappear in any release, without notice.
 */
package io.outrigger.core.internal.server;
