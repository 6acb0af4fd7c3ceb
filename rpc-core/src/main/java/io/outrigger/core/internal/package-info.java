/**
 * Implementation details of {@code rpc-core} shared by its own packages: per-call cancellation,
 * eager argument checks for builders, and files read again when they change. Its subpackages hold
 * the client chain, the wire protocol, the server, TLS and the Netty transport.
 *
 * <p>Not an API: anything here and in the subpackages may change or disappear in any release,
 * without notice. Other modules use only the public packages of {@code io.outrigger.core}; the
 * build checks it ({@code rpc-architecture}).
 */
package io.outrigger.core.internal;
