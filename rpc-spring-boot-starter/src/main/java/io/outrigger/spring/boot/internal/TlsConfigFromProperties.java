package io.outrigger.spring.boot.internal;

import io.outrigger.core.tls.ClientAuth;
import io.outrigger.core.tls.TlsConfig;
import io.outrigger.spring.boot.ClientTlsProperties;
import io.outrigger.spring.boot.ServerTlsProperties;
import io.outrigger.spring.boot.TlsProperties;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Builds the {@link TlsConfig} of {@code outrigger.server.tls.*} or {@code outrigger.client.tls.*},
 * checking every value first: whatever is wrong stops the application naming the property, e.g.
 * {@code Property outrigger.server.tls.trust-certificates with value 'null' is invalid: expected the
 * authorities that sign client certificates when client-auth is require}.
 */
public final class TlsConfigFromProperties {

    private static final String SERVER = "server.tls.";
    private static final String CLIENT = "client.tls.";

    private TlsConfigFromProperties() {}

    /**
     * The server's settings, or null when {@code outrigger.server.tls.certificate} and {@code
     * private-key} are not set.
     *
     * @throws org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException
     *     naming the property that is wrong
     */
    public static TlsConfig server(ServerTlsProperties p) {
        ClientAuth clientAuth = p.getClientAuth();
        if (clientAuth == null) {
            throw InvalidProperty.of(SERVER + "client-auth", null, "one of none, optional, require");
        }
        if (!p.isConfigured()) {
            // Other settings without a certificate would leave the port in plaintext while they suggest TLS.
            if (p.getTrustCertificates() != null || clientAuth != ClientAuth.NONE || p.getKeyPassword() != null) {
                throw InvalidProperty.of(
                        SERVER + "certificate",
                        null,
                        "the server's certificate (with " + prefix(SERVER) + "private-key) when other " + prefix(SERVER)
                                + "* properties are set; without them the port stays plaintext");
            }
            return null;
        }
        Path[] pair = keyPair(SERVER, p);
        TlsConfig.Builder b = TlsConfig.server(pair[0], pair[1]);
        if (clientAuth != ClientAuth.NONE && p.getTrustCertificates() == null) {
            throw InvalidProperty.of(
                    SERVER + "trust-certificates",
                    null,
                    "the authorities that sign client certificates (a PEM file) when " + prefix(SERVER)
                            + "client-auth is " + clientAuth.name().toLowerCase(java.util.Locale.ROOT));
        }
        b.clientAuth(clientAuth);
        common(SERVER, p, b);
        return build(SERVER, b);
    }

    /**
     * The clients' settings, or null when client TLS is off ({@link ClientTlsProperties#isOn()}).
     *
     * @throws org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException
     *     naming the property that is wrong
     */
    public static TlsConfig client(ClientTlsProperties p) {
        if (!p.isOn()) {
            return null;
        }
        TlsConfig.Builder b = TlsConfig.client();
        if (p.getCertificate() != null || p.getPrivateKey() != null) {
            Path[] pair = keyPair(CLIENT, p);
            b.keyCertificate(pair[0], pair[1]);
        }
        b.verifyHostname(p.isVerifyHostname());
        common(CLIENT, p, b);
        return build(CLIENT, b);
    }

    private static Path[] keyPair(String prefix, TlsProperties p) {
        if (p.getCertificate() == null) {
            throw InvalidProperty.of(
                    prefix + "certificate",
                    null,
                    "a PEM certificate chain to go with " + prefix(prefix) + "private-key");
        }
        if (p.getPrivateKey() == null) {
            throw InvalidProperty.of(
                    prefix + "private-key", null, "the PKCS#8 PEM key of " + prefix(prefix) + "certificate");
        }
        return new Path[] {
            FileLocation.resolve(prefix + "certificate", p.getCertificate()),
            FileLocation.resolve(prefix + "private-key", p.getPrivateKey())
        };
    }

    private static void common(String prefix, TlsProperties p, TlsConfig.Builder b) {
        if (p.getKeyPassword() != null) {
            if (p.getPrivateKey() == null) {
                throw InvalidProperty.of(
                        prefix + "key-password",
                        InvalidProperty.HIDDEN,
                        "no password without " + prefix(prefix) + "private-key");
            }
            b.keyPassword(p.getKeyPassword());
        }
        if (p.getTrustCertificates() != null) {
            b.trustCertificates(FileLocation.resolve(prefix + "trust-certificates", p.getTrustCertificates()));
        }
        List<String> protocols = p.getProtocols();
        if (protocols == null || protocols.isEmpty()) {
            throw InvalidProperty.of(prefix + "protocols", protocols, "TLSv1.3 and/or TLSv1.2");
        }
        try {
            b.protocols(protocols.toArray(String[]::new));
        } catch (IllegalArgumentException e) {
            throw InvalidProperty.of(
                    prefix + "protocols", protocols, "TLSv1.3 and/or TLSv1.2 (older versions are not safe)");
        }
        if (p.getProvider() == null) {
            throw InvalidProperty.of(prefix + "provider", null, "one of auto, openssl, jdk");
        }
        b.provider(p.getProvider());
        Duration reload = p.getReloadInterval();
        if (reload == null || reload.isNegative()) {
            throw InvalidProperty.of(prefix + "reload-interval", reload, "a duration >= 0 (0: never), e.g. 1m");
        }
        b.reloadInterval(reload);
        Duration handshake = p.getHandshakeTimeout();
        if (handshake == null || handshake.isNegative() || handshake.isZero()) {
            throw InvalidProperty.of(prefix + "handshake-timeout", handshake, "a duration > 0, e.g. 10s");
        }
        b.handshakeTimeout(handshake);
    }

    private static TlsConfig build(String prefix, TlsConfig.Builder b) {
        try {
            return b.build();
        } catch (IllegalStateException | IllegalArgumentException e) {
            // The cases above are checked first; this names the group for anything TlsConfig adds later.
            throw InvalidProperty.of(
                    prefix.substring(0, prefix.length() - 1), "...", "usable TLS settings: " + e.getMessage());
        }
    }

    private static String prefix(String prefix) {
        return "outrigger." + prefix;
    }
}
