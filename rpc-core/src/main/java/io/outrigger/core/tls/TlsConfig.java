package io.outrigger.core.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * TLS settings of a server ({@code RpcServer.Builder.tls}) or a client ({@code
 * RpcClient.Builder.tls}): certificates and keys as PEM files, who verifies whom, protocols and
 * the implementation. Immutable and thread-safe.
 *
 * <pre>{@code
 * // Server with mutual TLS: its own certificate, and the authority that signs client certificates.
 * TlsConfig serverTls = TlsConfig.server(Path.of("server.crt"), Path.of("server.key"))
 *         .trustCertificates(Path.of("clients-ca.crt"))
 *         .clientAuth(ClientAuth.REQUIRE)
 *         .build();
 *
 * // Client: the authority that signed the server's certificate, and its own certificate for mTLS.
 * TlsConfig clientTls = TlsConfig.client()
 *         .trustCertificates(Path.of("ca.crt"))
 *         .keyCertificate(Path.of("billing.crt"), Path.of("billing.key"))
 *         .build();
 * }</pre>
 *
 * <p>Files: certificates are PEM ({@code -----BEGIN CERTIFICATE-----}), leaf first then
 * intermediates; private keys are PKCS#8 PEM ({@code -----BEGIN PRIVATE KEY-----}, or {@code
 * ENCRYPTED PRIVATE KEY} with {@link Builder#keyPassword}); RSA, EC and Ed25519 keys work. Convert
 * an OpenSSL "traditional" key with {@code openssl pkcs8 -topk8 -nocrypt -in old.key -out new.key}.
 * The files are read when the server starts or the client is built, and again whenever they
 * change (checked at most every {@link Builder#reloadInterval}); the new certificates apply to
 * new connections, established ones keep theirs.
 */
public final class TlsConfig {

    /** The protocol versions offered unless {@link Builder#protocols} says otherwise. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private static final Set<String> KNOWN_PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

    private final boolean server;
    private final Path certificateChain;
    private final Path privateKey;
    private final String keyPassword;
    private final Path trustCertificates;
    private final ClientAuth clientAuth;
    private final List<String> protocols;
    private final boolean verifyHostname;
    private final TlsProvider provider;
    private final Duration reloadInterval;
    private final Duration handshakeTimeout;

    private TlsConfig(Builder b) {
        this.server = b.server;
        this.certificateChain = b.certificateChain;
        this.privateKey = b.privateKey;
        this.keyPassword = b.keyPassword;
        this.trustCertificates = b.trustCertificates;
        this.clientAuth = b.clientAuth;
        this.protocols = b.protocols;
        this.verifyHostname = b.verifyHostname;
        this.provider = b.provider;
        this.reloadInterval = b.reloadInterval;
        this.handshakeTimeout = b.handshakeTimeout;
    }

    /**
     * Starts the settings of a server, which presents the certificate chain in {@code
     * certificateChain} and proves it with {@code privateKey}.
     */
    public static Builder server(Path certificateChain, Path privateKey) {
        Builder b = new Builder(true);
        b.keyCertificate(certificateChain, privateKey);
        return b;
    }

    /**
     * Starts the settings of a client. It trusts the JDK's default authorities unless given {@link
     * Builder#trustCertificates}, and presents no certificate unless given {@link
     * Builder#keyCertificate} (needed when the server requires mutual TLS).
     */
    public static Builder client() {
        return new Builder(false);
    }

    /** Whether these are a server's settings ({@link #server}) rather than a client's. */
    public boolean isServer() {
        return server;
    }

    /** The PEM certificate chain this side presents; empty for a client without one. */
    public Optional<Path> certificateChain() {
        return Optional.ofNullable(certificateChain);
    }

    /** The PEM (PKCS#8) private key of {@link #certificateChain()}. */
    public Optional<Path> privateKey() {
        return Optional.ofNullable(privateKey);
    }

    /** The password of an encrypted private key; empty when the key is not encrypted. */
    public Optional<String> keyPassword() {
        return Optional.ofNullable(keyPassword);
    }

    /**
     * The PEM bundle of authorities this side trusts to sign the peer's certificate; empty means the
     * JDK's default authorities (clients only).
     */
    public Optional<Path> trustCertificates() {
        return Optional.ofNullable(trustCertificates);
    }

    /** Whether a server asks clients for certificates. {@link ClientAuth#NONE} for clients. */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** The protocol versions offered, e.g. {@code [TLSv1.3, TLSv1.2]}. */
    public List<String> protocols() {
        return protocols;
    }

    /** Whether a client checks that the server's certificate names the host it connects to. */
    public boolean verifyHostname() {
        return verifyHostname;
    }

    /** Which TLS implementation to use. */
    public TlsProvider provider() {
        return provider;
    }

    /** How often the files are checked for changes; zero means never (read once). */
    public Duration reloadInterval() {
        return reloadInterval;
    }

    /** How long a TLS handshake may take before the connection is closed. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(server ? "TlsConfig[server" : "TlsConfig[client");
        if (certificateChain != null) {
            sb.append(", certificateChain=")
                    .append(certificateChain)
                    .append(", privateKey=")
                    .append(privateKey);
        }
        if (trustCertificates != null) {
            sb.append(", trustCertificates=").append(trustCertificates);
        }
        if (server) {
            sb.append(", clientAuth=").append(clientAuth);
        } else {
            sb.append(", verifyHostname=").append(verifyHostname);
        }
        return sb.append(", protocols=")
                .append(protocols)
                .append(", provider=")
                .append(provider)
                .append(", reloadInterval=")
                .append(reloadInterval)
                .append(']')
                .toString();
    }

    /**
     * Builds a {@link TlsConfig}; each method validates its argument at once (files must exist and be
     * readable). Not thread-safe.
     */
    public static final class Builder {
        private final boolean server;
        private Path certificateChain;
        private Path privateKey;
        private String keyPassword;
        private Path trustCertificates;
        private ClientAuth clientAuth = ClientAuth.NONE;
        private List<String> protocols = DEFAULT_PROTOCOLS;
        private boolean verifyHostname = true;
        private TlsProvider provider = TlsProvider.AUTO;
        private Duration reloadInterval = Duration.ofMinutes(1);
        private Duration handshakeTimeout = Duration.ofSeconds(10);

        private Builder(boolean server) {
            this.server = server;
        }

        /**
         * The certificate chain this side presents (PEM, leaf first) and its private key (PKCS#8 PEM).
         * Required for a server (given to {@link TlsConfig#server}); for a client, its certificate for
         * mutual TLS. Default for clients: none.
         */
        public Builder keyCertificate(Path certificateChain, Path privateKey) {
            this.certificateChain = readable("certificateChain", certificateChain);
            this.privateKey = readable("privateKey", privateKey);
            return this;
        }

        /** The password of an encrypted PKCS#8 private key. Default: none (the key is not encrypted). */
        public Builder keyPassword(String password) {
            this.keyPassword = Objects.requireNonNull(password, "keyPassword");
            return this;
        }

        /**
         * The authorities (a PEM bundle of one or more CA certificates) that must have signed the
         * peer's certificate: for a client, the server's; for a server, the clients' (required with
         * {@link ClientAuth#OPTIONAL} or {@link ClientAuth#REQUIRE}). Default: the JDK's default
         * authorities for a client, none for a server.
         */
        public Builder trustCertificates(Path caBundle) {
            this.trustCertificates = readable("trustCertificates", caBundle);
            return this;
        }

        /**
         * Servers only: whether clients must present a certificate. Default {@link ClientAuth#NONE}.
         *
         * @throws IllegalStateException on a client's builder
         */
        public Builder clientAuth(ClientAuth clientAuth) {
            Objects.requireNonNull(clientAuth, "clientAuth");
            if (!server) {
                throw new IllegalStateException("clientAuth: only a server asks for client certificates; a client"
                        + " presents one with keyCertificate(chain, key)");
            }
            this.clientAuth = clientAuth;
            return this;
        }

        /** The protocol versions to offer, among {@code TLSv1.3} and {@code TLSv1.2}. Default: both. */
        public Builder protocols(String... protocols) {
            if (protocols.length == 0) {
                throw new IllegalArgumentException("protocols: none (expected: TLSv1.3 and/or TLSv1.2)");
            }
            for (String p : protocols) {
                if (!KNOWN_PROTOCOLS.contains(p)) {
                    throw new IllegalArgumentException(
                            "protocols: " + p + " (expected: TLSv1.3 or TLSv1.2; older versions are not safe)");
                }
            }
            this.protocols = List.of(protocols);
            return this;
        }

        /**
         * Clients only: whether the server's certificate must name the host connected to (a DNS name
         * or IP address in its subject alternative names). Default {@code true}; turn it off only
         * when the certificate is pinned by a private authority that signs nothing else.
         */
        public Builder verifyHostname(boolean verify) {
            this.verifyHostname = verify;
            return this;
        }

        /** The TLS implementation. Default {@link TlsProvider#AUTO} (OpenSSL when available). */
        public Builder provider(TlsProvider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /**
         * How often the certificate and key files are checked for changes (modification time and
         * size); a change is picked up by the next connection made or accepted. Zero turns reloading
         * off. Default 1 minute.
         */
        public Builder reloadInterval(Duration interval) {
            Objects.requireNonNull(interval, "reloadInterval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("reloadInterval: " + interval + " (expected: >= 0)");
            }
            this.reloadInterval = interval;
            return this;
        }

        /** How long a handshake may take before the connection is closed. Default 10 s. */
        public Builder handshakeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "handshakeTimeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout: " + timeout + " (expected: > 0)");
            }
            this.handshakeTimeout = timeout;
            return this;
        }

        /**
         * The settings.
         *
         * @throws IllegalStateException if a server asks for client certificates without {@link
         *     #trustCertificates} to verify them
         */
        public TlsConfig build() {
            if (server && clientAuth != ClientAuth.NONE && trustCertificates == null) {
                throw new IllegalStateException("clientAuth " + clientAuth + " needs trustCertificates(caBundle):"
                        + " the authorities that sign client certificates");
            }
            if (keyPassword != null && privateKey == null) {
                throw new IllegalStateException("keyPassword: given without keyCertificate(chain, key)");
            }
            return new TlsConfig(this);
        }

        private static Path readable(String name, Path file) {
            Objects.requireNonNull(file, name);
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(name + ": " + file + " (expected: an existing PEM file)");
            }
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException(name + ": " + file + " is not readable by this process");
            }
            return file;
        }
    }
}
