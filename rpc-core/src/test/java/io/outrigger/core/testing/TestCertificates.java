package io.outrigger.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for TLS tests: issues server and client certificates (EC P-256)
 * and writes them, with PKCS#8 keys, as PEM files into a directory (a JUnit {@code @TempDir}).
 *
 * <pre>{@code
 * TestCertificates ca = TestCertificates.create(dir, "Test CA");
 * TestCertificates.Issued server = ca.server("server");          // SAN: localhost, 127.0.0.1
 * TestCertificates.Issued client = ca.client("billing");
 * TlsConfig.server(server.certificate(), server.privateKey()).trustCertificates(ca.certificate())...
 * }</pre>
 */
public final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final String name;
    private final KeyPair caKeys;
    private final X509Certificate caCertificate;
    private final Path caFile;

    /** A certificate and its private key, as PEM files. */
    public record Issued(Path certificate, Path privateKey, X509Certificate x509) {}

    private TestCertificates(Path dir, String name) throws GeneralSecurityException, OperatorCreationException {
        this.dir = dir;
        this.name = name;
        this.caKeys = newKeyPair();
        X500Name subject = new X500Name("O=Outrigger Tests,CN=" + name);
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                subject,
                BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(Instant.now().minus(Duration.ofHours(1))),
                Date.from(Instant.now().plus(Duration.ofDays(2))),
                subject,
                caKeys.getPublic());
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        try {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(caKeys.getPublic()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.caCertificate = sign(b);
        this.caFile = write(fileName("ca") + ".crt", pem("CERTIFICATE", caCertificate.getEncoded()));
    }

    /** A new authority named {@code name} whose files go into {@code dir}. */
    public static TestCertificates create(Path dir, String name) {
        try {
            return new TestCertificates(dir, name);
        } catch (GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The authority's certificate (PEM), for {@code trustCertificates}. */
    public Path certificate() {
        return caFile;
    }

    /** A server certificate for {@code commonName}, naming {@code localhost} and {@code 127.0.0.1}. */
    public Issued server(String commonName) {
        return issue(commonName, List.of("localhost"), List.of("127.0.0.1"), Duration.ofDays(1));
    }

    /** A client certificate for {@code commonName}; like every certificate here it also names {@code spiffe://outrigger.test/<cn>}. */
    public Issued client(String commonName) {
        return issue(commonName, List.of(), List.of(), Duration.ofDays(1));
    }

    /**
     * A certificate for {@code commonName} with these DNS names and IP addresses, valid from an hour
     * ago for {@code validity}, usable by servers and clients.
     */
    public Issued issue(String commonName, List<String> dnsNames, List<String> ips, Duration validity) {
        try {
            KeyPair keys = newKeyPair();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                    caCertificate,
                    BigInteger.valueOf(SERIAL.incrementAndGet()),
                    Date.from(Instant.now().minus(Duration.ofHours(1))),
                    Date.from(Instant.now().minus(Duration.ofHours(1)).plus(validity)),
                    new X500Name("O=Outrigger Tests,CN=" + commonName),
                    keys.getPublic());
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(new KeyPurposeId[] {
                KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
            }));
            b.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(caCertificate));
            List<GeneralName> names = new ArrayList<>();
            dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
            ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
            names.add(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://outrigger.test/" + commonName));
            b.addExtension(
                    Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
            X509Certificate certificate = sign(b);
            String base = fileName(commonName);
            Path cert = write(base + ".crt", pem("CERTIFICATE", certificate.getEncoded()));
            Path key = write(base + ".key", pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
            return new Issued(cert, key, certificate);
        } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Replaces {@code target}'s files with {@code source}'s the way a deployment tool does (write
     * aside, then rename), bumping the modification time so a reload notices.
     */
    public static void replace(Issued target, Issued source) {
        try {
            for (Path[] pair : new Path[][] {
                {source.certificate(), target.certificate()}, {source.privateKey(), target.privateKey()}
            }) {
                Path tmp = pair[1].resolveSibling(pair[1].getFileName() + ".tmp");
                Files.copy(pair[0], tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.setLastModifiedTime(
                        tmp,
                        java.nio.file.attribute.FileTime.from(
                                Files.getLastModifiedTime(pair[1]).toInstant().plusSeconds(1)));
                Files.move(tmp, pair[1], StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String fileName(String what) {
        return (name + "-" + what + "-" + SERIAL.incrementAndGet()).replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private X509Certificate sign(X509v3CertificateBuilder b)
            throws GeneralSecurityException, OperatorCreationException {
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate())));
    }

    private Path write(String file, String content) {
        try {
            return Files.writeString(dir.resolve(file), content, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }
}
