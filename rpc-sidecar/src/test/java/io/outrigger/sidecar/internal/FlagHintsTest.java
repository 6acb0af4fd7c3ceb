package io.outrigger.sidecar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import org.junit.jupiter.api.Test;

class FlagHintsTest {

    static String rewrite(boolean hasCertificate, String message) {
        return new FlagHints(hasCertificate)
                .rewrite(RpcResponse.failure(Status.UNAVAILABLE.withDescription(message)))
                .status()
                .description();
    }

    @Test
    void rpcCoreHintsBecomeSidecarFlags() {
        assertThat(rewrite(
                        false,
                        "the server at 127.0.0.1:7 requires TLS and this client connected without it"
                                + " (configure RpcClient.Builder.tls); the request was not run"))
                .isEqualTo("the server at 127.0.0.1:7 requires TLS and this client connected without it"
                        + " (start the sidecar with --tls-ca FILE); the request was not run");
        assertThat(rewrite(
                        false,
                        "TLS: certificate_required (the server requires a client certificate: set"
                                + " TlsConfig.client().keyCertificate(chain, key))"))
                .endsWith("(the server requires a client certificate: start the sidecar with --tls-cert FILE"
                        + " --tls-key FILE)");
        assertThat(rewrite(
                        true,
                        "x (the peer's certificate is not signed by an authority in this side's"
                                + " trustCertificates)"))
                .isEqualTo("x (the peer's certificate is not signed by an authority in the sidecar's --tls-ca file)");
    }

    @Test
    void aRefusedAlertWithoutAClientCertificateSuggestsOne() {
        assertThat(rewrite(false, "TLS: Received fatal alert: bad_certificate"))
                .endsWith("start the sidecar with --tls-cert FILE --tls-key FILE");
        assertThat(rewrite(true, "TLS: Received fatal alert: bad_certificate"))
                .isEqualTo("TLS: Received fatal alert: bad_certificate");
    }

    @Test
    void successesAndOtherMessagesAreLeftAlone() {
        RpcResponse ok = RpcResponse.ok(io.outrigger.core.Payload.encoded((byte) 1, new byte[0]));
        assertThat(new FlagHints(false).rewrite(ok)).isSameAs(ok);
        assertThat(rewrite(false, "no provider of demo.X")).isEqualTo("no provider of demo.X");
    }
}
