package io.outrigger.core.internal.tls;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.outrigger.core.tls.PeerPrincipal;
import java.nio.channels.ClosedChannelException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** What a TLS session tells about its peer, and readable reasons when a handshake fails. */
public final class TlsSessions {

    private TlsSessions() {}

    /** The identity in the peer's verified certificate, or {@code null} when it sent none. */
    public static PeerPrincipal peerPrincipal(SSLEngine engine) {
        SSLSession session = engine.getSession();
        if (session == null) {
            return null;
        }
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? PeerPrincipal.of(leaf) : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** The reason a handshake failed, from the causes' messages, with a hint for the common cases. */
    public static String describeFailure(Throwable cause) {
        return describeFailure(cause, true);
    }

    /**
     * As {@link #describeFailure(Throwable)}, for a side that may have no certificate of its own: a
     * server that requires client certificates refuses a client without one with an alert that,
     * depending on its TLS library, reads like a refused certificate ({@code bad_certificate}), so
     * the hint then says what to set rather than blaming an authority.
     */
    public static String describeFailure(Throwable cause, boolean sentCertificate) {
        Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (t instanceof NotSslRecordException) {
            return "the peer does not speak TLS (plaintext or another protocol)";
        }
        if (t instanceof ClosedChannelException) {
            return "the peer closed the connection during the handshake (does it serve TLS? does it require a"
                    + " client certificate this side did not send?)";
        }
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null && sb.length() < 500; c = c.getCause()) {
            String m = c.getMessage();
            if (m != null && sb.indexOf(m) < 0) {
                sb.append(sb.length() == 0 ? "" : ": ").append(m);
            }
        }
        String reason = sb.length() == 0 ? t.getClass().getSimpleName() : sb.toString();
        String lower = reason.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("certificate_required") || lower.contains("certificate required")) {
            reason += " (the server requires a client certificate: set TlsConfig.client().keyCertificate(chain, key))";
        } else if (!sentCertificate && (lower.contains("bad_certificate") || lower.contains("certificate_unknown"))) {
            reason += " (this side sent no certificate: if the server requires one (mutual TLS), set"
                    + " TlsConfig.client().keyCertificate(chain, key))";
        } else if (lower.contains("bad_certificate")
                || lower.contains("certificate_unknown")
                || lower.contains("unknown_ca")) {
            reason +=
                    " (the peer did not accept this side's certificate: is it signed by an authority the peer trusts?)";
        } else if (lower.contains("unable to find valid certification path")) {
            reason += " (the peer's certificate is not signed by an authority in this side's trustCertificates)";
        } else if (reason.contains("closed") && reason.contains("handshake")) {
            reason += " (does the peer serve TLS? does it require a client certificate this side did not send?)";
        }
        return reason;
    }
}
