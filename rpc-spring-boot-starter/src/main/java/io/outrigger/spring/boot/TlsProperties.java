package io.outrigger.spring.boot;

import io.outrigger.core.tls.TlsConfig;
import io.outrigger.core.tls.TlsProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The TLS settings the server ({@code outrigger.server.tls.*}, {@link ServerTlsProperties}) and the
 * clients ({@code outrigger.client.tls.*}, {@link ClientTlsProperties}) share. Files are PEM and are
 * named by a plain path (relative to the working directory) or a {@code file:} URL; {@code
 * classpath:} resources are refused, because the files are read again when they change on disk.
 * Mapped onto {@link TlsConfig}; see {@code docs/security.md} for the file formats.
 */
public abstract class TlsProperties {

    /** The certificate chain this side presents (PEM, leaf first): a file path or a file: URL. */
    private String certificate;

    /** The private key of the certificate (PKCS#8 PEM): a file path or a file: URL. */
    private String privateKey;

    /** The password of an encrypted (ENCRYPTED PRIVATE KEY) private key. */
    private String keyPassword;

    /** The authorities (PEM bundle) that must have signed the peer's certificate. */
    private String trustCertificates;

    /** The protocol versions offered, among TLSv1.3 and TLSv1.2. */
    private List<String> protocols = new ArrayList<>(TlsConfig.DEFAULT_PROTOCOLS);

    /** The TLS implementation: auto (OpenSSL when netty-tcnative loads, else the JDK), openssl or jdk. */
    private TlsProvider provider = TlsProvider.AUTO;

    /** How often the files are checked for changes (new connections use new files); 0: never. */
    private Duration reloadInterval = Duration.ofMinutes(1);

    /** How long a TLS handshake may take before the connection is closed. */
    private Duration handshakeTimeout = Duration.ofSeconds(10);

    TlsProperties() {}

    /** The certificate chain's location, or null. */
    public String getCertificate() {
        return certificate;
    }

    /** See {@link #getCertificate()}. */
    public void setCertificate(String certificate) {
        this.certificate = certificate;
    }

    /** The private key's location, or null. */
    public String getPrivateKey() {
        return privateKey;
    }

    /** See {@link #getPrivateKey()}. */
    public void setPrivateKey(String privateKey) {
        this.privateKey = privateKey;
    }

    /** The private key's password, or null. */
    public String getKeyPassword() {
        return keyPassword;
    }

    /** See {@link #getKeyPassword()}. */
    public void setKeyPassword(String keyPassword) {
        this.keyPassword = keyPassword;
    }

    /** The trusted authorities' location, or null. */
    public String getTrustCertificates() {
        return trustCertificates;
    }

    /** See {@link #getTrustCertificates()}. */
    public void setTrustCertificates(String trustCertificates) {
        this.trustCertificates = trustCertificates;
    }

    /** The protocol versions offered. */
    public List<String> getProtocols() {
        return protocols;
    }

    /** See {@link #getProtocols()}. */
    public void setProtocols(List<String> protocols) {
        this.protocols = protocols;
    }

    /** The TLS implementation. */
    public TlsProvider getProvider() {
        return provider;
    }

    /** See {@link #getProvider()}. */
    public void setProvider(TlsProvider provider) {
        this.provider = provider;
    }

    /** How often the files are checked for changes. */
    public Duration getReloadInterval() {
        return reloadInterval;
    }

    /** See {@link #getReloadInterval()}. */
    public void setReloadInterval(Duration reloadInterval) {
        this.reloadInterval = reloadInterval;
    }

    /** How long a handshake may take. */
    public Duration getHandshakeTimeout() {
        return handshakeTimeout;
    }

    /** See {@link #getHandshakeTimeout()}. */
    public void setHandshakeTimeout(Duration handshakeTimeout) {
        this.handshakeTimeout = handshakeTimeout;
    }
}
