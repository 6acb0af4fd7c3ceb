package io.outrigger.core.tls;

/** Which TLS implementation encrypts connections. */
public enum TlsProvider {
    /**
     * OpenSSL (BoringSSL) through netty-tcnative when it is on the class path and loads on this
     * platform, the JDK's TLS otherwise. The default.
     */
    AUTO,
    /** OpenSSL through netty-tcnative; building a server or client fails if it is not available. */
    OPENSSL,
    /** The JDK's own TLS ({@code SSLEngine}). */
    JDK
}
