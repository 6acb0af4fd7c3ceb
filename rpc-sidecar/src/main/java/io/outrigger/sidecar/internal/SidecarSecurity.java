package io.outrigger.sidecar.internal;

import io.outrigger.core.auth.AccessControl;
import io.outrigger.core.tls.ClientAuth;
import io.outrigger.core.tls.TlsConfig;
import io.outrigger.sidecar.SidecarConfig;
import java.util.List;
import java.util.Map;

/**
 * The sidecar's security flags as rpc-core settings: {@code --tls-*} as the client's {@link
 * TlsConfig}, {@code --rpc-tls-*} as the inbound server's, {@code --rpc-allow} and {@code
 * --rpc-token-file} as its {@link AccessControl}. Certificates and keys are read again when their files change (rpc-core's default
 * reload interval, 1 minute).
 */
public final class SidecarSecurity {

    private SidecarSecurity() {}

    /** The TLS settings of outbound calls, or {@code null} for plaintext (no {@code --tls-ca}, no {@code --tls-cert}). */
    public static TlsConfig clientTls(SidecarConfig config) {
        if (config.tlsCa() == null && config.tlsCert() == null) {
            return null;
        }
        TlsConfig.Builder b = TlsConfig.client();
        if (config.tlsCa() != null) {
            b.trustCertificates(config.tlsCa());
        }
        if (config.tlsCert() != null) {
            b.keyCertificate(config.tlsCert(), config.tlsKey());
        }
        return b.build();
    }

    /** The TLS settings of the {@code --rpc} listener, or {@code null} for plaintext. */
    public static TlsConfig serverTls(SidecarConfig config) {
        if (config.rpcTlsCert() == null) {
            return null;
        }
        TlsConfig.Builder b = TlsConfig.server(config.rpcTlsCert(), config.rpcTlsKey());
        if (config.rpcTlsClientCa() != null) {
            b.trustCertificates(config.rpcTlsClientCa()).clientAuth(ClientAuth.REQUIRE);
        }
        return b.build();
    }

    /**
     * The access control of the exports, or {@code null} without {@code --rpc-allow}: callers are
     * identified by their bearer token ({@code --rpc-token-file}) when they send one, else by the
     * common name of their client certificate; calls no rule allows are refused.
     */
    public static AccessControl accessControl(SidecarConfig config) {
        if (config.rpcAllow().isEmpty()) {
            return null;
        }
        AccessControl.Builder b = AccessControl.builder();
        if (config.rpcTokenFile() != null) {
            try {
                b.tokens(RpcTokenFile.verifier(config.rpcTokenFile()));
            } catch (IllegalArgumentException e) { // changed since the flags were read
                throw new IllegalArgumentException("--rpc-token-file: " + e.getMessage(), e);
            }
        }
        for (Map.Entry<String, List<String>> rule : config.rpcAllow().entrySet()) {
            String target = rule.getKey();
            int slash = target.lastIndexOf('/');
            b.allow(
                    target.substring(0, slash),
                    target.substring(slash + 1),
                    rule.getValue().toArray(new String[0]));
        }
        return b.build();
    }
}
