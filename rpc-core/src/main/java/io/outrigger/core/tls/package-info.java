/**
 * TLS and mutual TLS for the native protocol: {@link io.outrigger.core.tls.TlsConfig} (PEM files,
 * reloaded when they change) for {@code RpcServer.Builder.tls} and {@code RpcClient.Builder.tls},
 * and {@link io.outrigger.core.tls.PeerPrincipal}, the verified identity of a client certificate,
 * which servers put on each request as {@code CallAttributes.PEER_PRINCIPAL}. See {@code
 * docs/security.md}.
 */
package io.outrigger.core.tls;
