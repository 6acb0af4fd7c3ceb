package io.outrigger.core.internal.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.outrigger.core.tls.TlsConfig;
import io.outrigger.core.tls.TlsProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a {@link TlsConfig} into Netty {@code SslHandler}s, re-reading the PEM files when they change.
 *
 * <p>The files are checked (modification time and size, a few {@code stat} calls) at most once per
 * reload interval, when a connection is made or accepted; a changed set is rebuilt there and then,
 * which takes a few milliseconds on that event loop, and used for that connection and later ones.
 * A set that fails to load (a half-written file, a key that does not match its certificate) is
 * logged and the previous certificates stay in use. Thread-safe.
 */
public final class SslContextSource {

    private static final Logger log = LoggerFactory.getLogger(SslContextSource.class);

    private final TlsConfig config;
    private final SslProvider provider;
    private final List<Path> files;
    private final long intervalNanos;
    private final AtomicLong nextCheckNanos = new AtomicLong();
    private volatile SslContext context;
    private volatile List<String> fingerprint;

    /**
     * Reads the files and builds the first context.
     *
     * @throws IllegalArgumentException naming the file and the reason when they cannot be used
     * @throws IllegalStateException when {@link TlsProvider#OPENSSL} is asked for and not available
     */
    public SslContextSource(TlsConfig config) {
        this.config = config;
        this.provider = provider(config);
        List<Path> f = new ArrayList<>();
        config.certificateChain().ifPresent(f::add);
        config.privateKey().ifPresent(f::add);
        config.trustCertificates().ifPresent(f::add);
        this.files = List.copyOf(f);
        this.intervalNanos = config.reloadInterval().toNanos();
        this.fingerprint = fingerprint(files);
        this.context = build();
        nextCheckNanos.set(System.nanoTime() + intervalNanos);
    }

    /** Whether this side presents a certificate of its own (always for a server; mutual TLS for a client). */
    public boolean presentsCertificate() {
        return config.certificateChain().isPresent();
    }

    /** A handler for a connection accepted by a server. */
    public SslHandler newServerHandler(ByteBufAllocator alloc) {
        return configure(current().newHandler(alloc));
    }

    /**
     * A handler for a connection a client makes to {@code host:port}; the host is what the server's
     * certificate must name when hostname verification is on, and is sent as SNI when it is a name.
     */
    public SslHandler newClientHandler(ByteBufAllocator alloc, String host, int port) {
        return configure(current().newHandler(alloc, host, port));
    }

    private SslHandler configure(SslHandler handler) {
        handler.setHandshakeTimeoutMillis(config.handshakeTimeout().toMillis());
        return handler;
    }

    /** E.g. {@code "TLS (OpenSSL, TLSv1.3/TLSv1.2, client certificates required)"}, for logs. */
    public String describe() {
        String auth = switch (config.clientAuth()) {
            case NONE -> "";
            case OPTIONAL -> ", client certificates optional";
            case REQUIRE -> ", client certificates required";
        };
        return "TLS (" + (provider == SslProvider.OPENSSL ? "OpenSSL" : "JDK") + ", "
                + String.join("/", config.protocols()) + auth + ")";
    }

    /** The current context, after reloading the files if it is time to look and they changed. */
    SslContext current() {
        if (intervalNanos > 0) {
            long now = System.nanoTime();
            long due = nextCheckNanos.get();
            // One caller per interval looks at the files; the others use the context they find.
            if (now - due >= 0 && nextCheckNanos.compareAndSet(due, now + intervalNanos)) {
                reloadIfChanged();
            }
        }
        return context;
    }

    private void reloadIfChanged() {
        List<String> now = fingerprint(files);
        if (now.equals(fingerprint)) {
            return;
        }
        try {
            SslContext rebuilt = build();
            context = rebuilt;
            fingerprint = now;
            log.info("TLS: reloaded certificates from {}; new connections use them", files);
        } catch (RuntimeException e) {
            // Keep serving with the old certificates; try again at the next interval.
            log.warn(
                    "TLS: {} changed but cannot be loaded, still using the previous certificates: {}",
                    files,
                    e.getMessage());
        }
    }

    private SslContext build() {
        try {
            SslContextBuilder b;
            String password = config.keyPassword().orElse(null);
            if (config.isServer()) {
                Path chain = config.certificateChain().orElseThrow();
                Path key = config.privateKey().orElseThrow();
                checkKeyMatches(chain, key, password);
                b = SslContextBuilder.forServer(chain.toFile(), key.toFile(), password)
                        .clientAuth(
                                switch (config.clientAuth()) {
                                    case NONE -> io.netty.handler.ssl.ClientAuth.NONE;
                                    case OPTIONAL -> io.netty.handler.ssl.ClientAuth.OPTIONAL;
                                    case REQUIRE -> io.netty.handler.ssl.ClientAuth.REQUIRE;
                                });
            } else {
                b = SslContextBuilder.forClient()
                        .endpointIdentificationAlgorithm(config.verifyHostname() ? "HTTPS" : null);
                if (config.certificateChain().isPresent()) {
                    Path chain = config.certificateChain().get();
                    Path key = config.privateKey().orElseThrow();
                    checkKeyMatches(chain, key, password);
                    b.keyManager(chain.toFile(), key.toFile(), password);
                }
            }
            config.trustCertificates().ifPresent(ca -> b.trustManager(ca.toFile()));
            return b.sslProvider(provider).protocols(config.protocols()).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS: cannot use " + files + ": " + reason(e), e);
        }
    }

    private static String reason(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && sb.indexOf(t.getMessage()) < 0) {
                sb.append(sb.length() == 0 ? "" : ": ").append(t.getMessage());
            }
        }
        return sb.length() == 0 ? e.getClass().getSimpleName() : sb.toString();
    }

    private static SslProvider provider(TlsConfig config) {
        boolean openSsl;
        try {
            openSsl = OpenSsl.isAvailable();
        } catch (Throwable t) {
            openSsl = false;
        }
        return switch (config.provider()) {
            case JDK -> SslProvider.JDK;
            case AUTO -> openSsl ? SslProvider.OPENSSL : SslProvider.JDK;
            case OPENSSL -> {
                if (!openSsl) {
                    throw new IllegalStateException("TLS provider OPENSSL: not available ("
                            + OpenSsl.unavailabilityCause()
                            + "); add io.netty:netty-tcnative-boringssl-static with this platform's classifier,"
                            + " or use TlsProvider.AUTO or JDK");
                }
                yield SslProvider.OPENSSL;
            }
        };
    }

    /**
     * A key that does not belong to the certificate fails only at handshake time, with obscure
     * messages and only on some providers; check up front by signing with it. Encrypted keys are
     * left to the provider.
     */
    private static void checkKeyMatches(Path chain, Path key, String password) {
        if (password != null) {
            return;
        }
        X509Certificate leaf;
        PrivateKey privateKey;
        try {
            leaf = leafCertificate(chain);
            privateKey = readPkcs8(key);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read " + chain + " and " + key + ": " + reason(e), e);
        }
        if (!matches(privateKey, leaf.getPublicKey())) {
            throw new IllegalArgumentException("the private key in " + key
                    + " does not belong to the certificate in " + chain + " ("
                    + leaf.getSubjectX500Principal().getName() + ")");
        }
    }

    private static X509Certificate leafCertificate(Path chain) throws IOException, GeneralSecurityException {
        try (var in = Files.newInputStream(chain)) {
            var certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new GeneralSecurityException("no certificate in " + chain);
            }
            return (X509Certificate) certificates.iterator().next();
        }
    }

    private static PrivateKey readPkcs8(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN PRIVATE KEY-----";
        int start = pem.indexOf(begin);
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (start < 0 || end < start) {
            throw new GeneralSecurityException("no '" + begin + "' block (PKCS#8) in " + file
                    + "; convert the key with: openssl pkcs8 -topk8 -nocrypt -in old.key -out new.key");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(start + begin.length(), end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String algorithm : new String[] {"RSA", "EC", "EdDSA", "RSASSA-PSS"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("unsupported private key in " + file, last);
    }

    private static boolean matches(PrivateKey key, PublicKey publicKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> null;
        };
        if (algorithm == null) {
            return true; // an unusual algorithm: leave the check to the provider
        }
        try {
            byte[] probe = "outrigger key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey); // a public key of another algorithm throws: no match
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static List<String> fingerprint(List<Path> files) {
        List<String> marks = new ArrayList<>(files.size());
        for (Path f : files) {
            try {
                marks.add(Files.getLastModifiedTime(f).to(TimeUnit.NANOSECONDS) + ":" + Files.size(f));
            } catch (IOException e) {
                marks.add("missing"); // being replaced: looks changed, and the rebuild will say why
            }
        }
        return marks;
    }
}
