package io.outrigger.spring.boot;

import io.outrigger.core.tls.ClientAuth;

/**
 * {@code outrigger.server.tls.*}: TLS on the server's port. On when {@code certificate} and {@code
 * private-key} are set; then plaintext clients are refused. Mutual TLS: {@code client-auth=require}
 * with {@code trust-certificates}, the authorities that sign client certificates.
 *
 * <pre>
 * outrigger.server.tls.certificate=/etc/outrigger/server.crt
 * outrigger.server.tls.private-key=/etc/outrigger/server.key
 * outrigger.server.tls.trust-certificates=/etc/outrigger/clients-ca.crt
 * outrigger.server.tls.client-auth=require
 * </pre>
 */
public class ServerTlsProperties extends TlsProperties {

    /**
     * Whether clients must present a certificate: none, optional (verified when sent) or require
     * (mutual TLS). optional and require need trust-certificates.
     */
    private ClientAuth clientAuth = ClientAuth.NONE;

    /** Used by Spring. */
    public ServerTlsProperties() {}

    /** Whether TLS is on: a certificate or a private key is set (both are then required). */
    public boolean isConfigured() {
        return getCertificate() != null || getPrivateKey() != null;
    }

    /** Whether clients must present a certificate. */
    public ClientAuth getClientAuth() {
        return clientAuth;
    }

    /** See {@link #getClientAuth()}. */
    public void setClientAuth(ClientAuth clientAuth) {
        this.clientAuth = clientAuth;
    }
}
