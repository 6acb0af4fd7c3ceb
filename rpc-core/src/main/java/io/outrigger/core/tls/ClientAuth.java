package io.outrigger.core.tls;

/** Whether a TLS server asks its clients for a certificate (mutual TLS). */
public enum ClientAuth {
    /** No client certificate is asked for. The default. */
    NONE,
    /**
     * A client certificate is asked for and verified when sent; clients without one are still
     * accepted (an authorization interceptor can then require another credential, e.g. a token).
     */
    OPTIONAL,
    /** Mutual TLS: a client without a certificate signed by a trusted authority is refused. */
    REQUIRE
}
