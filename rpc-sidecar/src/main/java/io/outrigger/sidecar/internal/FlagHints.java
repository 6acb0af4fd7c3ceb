package io.outrigger.sidecar.internal;

import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The sidecar's client interceptor that turns rpc-core's configuration hints in failure messages
 * into the sidecar flags that fix them: a person running the sidecar sets {@code --tls-cert}, not
 * {@code TlsConfig.client().keyCertificate(chain, key)}. Only the description changes; the status
 * code (and so the HTTP status) stays what the library decided. Stateless and thread-safe.
 */
public final class FlagHints implements Interceptor {

    private record Hint(String library, String sidecar) {}

    private static final List<Hint> HINTS = List.of(
            new Hint("configure RpcClient.Builder.tls", "start the sidecar with --tls-ca FILE"),
            new Hint(
                    "set TlsConfig.client().keyCertificate(chain, key)",
                    "start the sidecar with --tls-cert FILE --tls-key FILE"),
            new Hint("an authority in this side's trustCertificates", "an authority in the sidecar's --tls-ca file"),
            new Hint(
                    "send a client certificate or an 'authorization: Bearer ...' header",
                    "start the sidecar with --tls-cert FILE --tls-key FILE (mutual TLS) or --bearer-token-file FILE"));

    private final boolean hasClientCertificate;

    /** @param hasClientCertificate whether the sidecar presents a certificate ({@code --tls-cert}) */
    public FlagHints(boolean hasClientCertificate) {
        this.hasClientCertificate = hasClientCertificate;
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        return next.invoke(request).thenApply(this::rewrite);
    }

    RpcResponse rewrite(RpcResponse response) {
        String description = response.status().description();
        if (response.isOk() || description == null) {
            return response;
        }
        String rewritten = description;
        for (Hint hint : HINTS) {
            rewritten = rewritten.replace(hint.library(), hint.sidecar());
        }
        // A provider that requires client certificates refuses a sidecar without one with an alert
        // that, depending on its TLS implementation, reads like a refused certificate.
        if (!hasClientCertificate
                && !rewritten.contains("--tls-cert")
                && (rewritten.contains("bad_certificate") || rewritten.contains("certificate_required"))) {
            rewritten += "; this sidecar sends no client certificate: if the provider requires one (mutual TLS),"
                    + " start the sidecar with --tls-cert FILE --tls-key FILE";
        }
        return rewritten.equals(description)
                ? response
                : new RpcResponse(
                        response.status().withDescription(rewritten), response.metadata(), response.payload());
    }
}
