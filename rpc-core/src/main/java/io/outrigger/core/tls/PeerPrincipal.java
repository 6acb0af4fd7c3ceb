package io.outrigger.core.tls;

import java.security.Principal;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * The identity in a peer's verified TLS certificate. A server with mutual TLS puts it on every
 * request of the connection as {@code CallAttributes.PEER_PRINCIPAL}, for authorization ({@code
 * io.outrigger.core.auth.AccessControl}) or the service itself:
 *
 * <pre>{@code
 * PeerPrincipal peer = request.attributes().get(CallAttributes.PEER_PRINCIPAL); // null: no certificate
 * if (peer != null && peer.name().equals("billing")) { ... }
 * }</pre>
 *
 * <p>Only set once the TLS handshake verified the certificate chain against the server's trusted
 * certificates; a client without a certificate ({@link ClientAuth#OPTIONAL}) has none. Immutable.
 *
 * @param name the common name (CN) of the subject; without one, the first subject alternative
 *     name; without either, the whole subject
 * @param subject the subject distinguished name, RFC 2253 form, e.g. {@code CN=billing,O=Acme}
 * @param subjectAlternativeNames the DNS names, URIs (e.g. SPIFFE ids), IP addresses and e-mail
 *     addresses of the certificate, in its order
 * @param certificate the peer's own (leaf) certificate
 */
public record PeerPrincipal(
        String name, String subject, List<String> subjectAlternativeNames, X509Certificate certificate)
        implements Principal {

    /** Validates and copies. */
    public PeerPrincipal {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(subject, "subject");
        subjectAlternativeNames = List.copyOf(subjectAlternativeNames);
        Objects.requireNonNull(certificate, "certificate");
    }

    /** The identity of {@code certificate}: its subject's CN, alternative names and subject. */
    public static PeerPrincipal of(X509Certificate certificate) {
        String subject = certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
        List<String> sans = alternativeNames(certificate);
        String cn = commonName(subject);
        String name = cn != null ? cn : !sans.isEmpty() ? sans.get(0) : subject;
        return new PeerPrincipal(name, subject, sans, certificate);
    }

    /** Same as {@link #name()}, for {@link Principal}. */
    @Override
    public String getName() {
        return name;
    }

    private static String commonName(String subject) {
        try {
            List<Rdn> rdns = new LdapName(subject).getRdns();
            // LdapName lists RDNs right to left; the most specific CN is the last one listed.
            for (int i = rdns.size() - 1; i >= 0; i--) {
                Rdn rdn = rdns.get(i);
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return String.valueOf(rdn.getValue());
                }
            }
        } catch (InvalidNameException e) {
            // A subject the JDK itself produced always parses; fall through to "no CN".
        }
        return null;
    }

    private static List<String> alternativeNames(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> all = certificate.getSubjectAlternativeNames();
            if (all != null) {
                for (List<?> entry : all) {
                    // [type, value]: value is a String for rfc822Name, dNSName, URI and iPAddress.
                    if (entry.size() >= 2 && entry.get(1) instanceof String value) {
                        names.add(value);
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // A malformed extension: the certificate passed verification, so name it by its subject.
        }
        return names;
    }

    @Override
    public String toString() {
        return "PeerPrincipal[" + name + ", " + subject
                + (subjectAlternativeNames.isEmpty() ? "" : ", " + subjectAlternativeNames) + "]";
    }
}
