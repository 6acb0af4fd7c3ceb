/**
 * Implementation details of {@code rpc-core}'s TLS: Netty SSL contexts built from {@code TlsConfig}
 * and re-read when the PEM files change, the detector that tells TLS from plain text on a server's
 * port, and what a TLS session says about its peer.
 *
 * <p>Not an API: anything here may change or disappear in any release, without notice.
 */
package io.outrigger.core.internal.tls;
