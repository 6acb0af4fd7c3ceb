/**
 * Implementation details of {@code rpc-core}'s Netty transport: event loops (epoll or NIO), the
 * multiplexed client connections and the calls pending on them, batched writes, and a server's
 * connection caps and read back-pressure.
 *
 * <p>Not an API: anything here may change or disappear in any release, without notice. Netty types
 * appear only here and in the other {@code internal} packages, never in a public signature.
 */
package io.outrigger.core.internal.transport;
