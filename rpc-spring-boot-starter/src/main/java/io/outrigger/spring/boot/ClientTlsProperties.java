package io.outrigger.spring.boot;

/**
 * {@code outrigger.client.tls.*}: TLS to the providers. On when {@code enabled=true}, or when {@code
 * enabled} is not set and {@code trust-certificates}, {@code certificate} or {@code private-key} is. Without {@code
 * trust-certificates} the JDK's default authorities are trusted; {@code certificate} and {@code
 * private-key} are this application's certificate for servers that require mutual TLS.
 *
 * <pre>
 * outrigger.client.tls.trust-certificates=/etc/outrigger/ca.crt
 * outrigger.client.tls.certificate=/etc/outrigger/billing.crt
 * outrigger.client.tls.private-key=/etc/outrigger/billing.key
 * </pre>
 */
public class ClientTlsProperties extends TlsProperties {

    /**
     * Whether the clients use TLS. Default: on when trust-certificates, certificate or private-key is
     * set, off otherwise; false turns it off even then.
     */
    private Boolean enabled;

    /**
     * Whether the provider's certificate must name the address connected to (a DNS name or IP in its
     * subject alternative names). Turn off only with a private authority that signs nothing else.
     */
    private boolean verifyHostname = true;

    /** Used by Spring. */
    public ClientTlsProperties() {}

    /** Whether TLS is on, after the default described on {@link #getEnabled()}. */
    public boolean isOn() {
        return enabled != null
                ? enabled
                : getTrustCertificates() != null || getCertificate() != null || getPrivateKey() != null;
    }

    /** Whether the clients use TLS; null: on when trust-certificates, certificate or private-key is set. */
    public Boolean getEnabled() {
        return enabled;
    }

    /** See {@link #getEnabled()}. */
    public void setEnabled(Boolean enabled) {
        this.enabled = enabled;
    }

    /** Whether the provider's certificate must name the address connected to. */
    public boolean isVerifyHostname() {
        return verifyHostname;
    }

    /** See {@link #isVerifyHostname()}. */
    public void setVerifyHostname(boolean verifyHostname) {
        this.verifyHostname = verifyHostname;
    }
}
