package io.outrigger.spring.boot.internal;

import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import java.util.Locale;
import java.util.concurrent.CompletionStage;

/**
 * Installed on clients that use TLS without a certificate of their own: when a provider refuses the
 * handshake because it requires one (mutual TLS), the {@code UNAVAILABLE} message gets the properties
 * that fix it. The TLS layer cannot know the fix in Spring terms; this can.
 */
public final class ClientCertificateHint implements Interceptor {

    /** Appended to the message. */
    public static final String HINT = "; this application sent no client certificate: if the provider requires"
            + " one (mutual TLS), set outrigger.client.tls.certificate and outrigger.client.tls.private-key";

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        return next.invoke(request).thenApply(ClientCertificateHint::withHint);
    }

    private static RpcResponse withHint(RpcResponse response) {
        Status status = response.status();
        String description = status.description();
        if (status.code() != Status.Code.UNAVAILABLE
                || description == null
                || description.endsWith(HINT)
                || description.contains("outrigger.client.tls.certificate")) {
            return response;
        }
        // A server without our certificate refuses with one of these alerts, depending on its TLS library.
        String lower = description.toLowerCase(Locale.ROOT);
        if (!lower.contains("bad_certificate") && !lower.contains("certificate_required")) {
            return response;
        }
        // rpc-core's own hint names the builder; an application configured by properties gets these.
        String library = "set TlsConfig.client().keyCertificate(chain, key)";
        String hinted = description.contains(library)
                ? description.replace(
                        library, "set outrigger.client.tls.certificate and outrigger.client.tls.private-key")
                : description + HINT;
        return new RpcResponse(status.withDescription(hinted), response.metadata(), response.payload());
    }
}
