package io.outrigger.core;

import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.tls.PeerPrincipal;
import java.util.Set;

/**
 * The {@link Attributes} keys Outrigger itself sets on requests. Local only; never sent.
 */
public final class CallAttributes {

    /**
     * Set by the cluster invoker on the request it hands to endpoint-level interceptors: the endpoint
     * the load balancer picked for this attempt.
     */
    public static final Attributes.Key<Endpoint> ENDPOINT = Attributes.Key.of("endpoint", Endpoint.class);

    /**
     * Set by a retry policy before another attempt: ids ({@link
     * io.outrigger.core.registry.ServiceInstance#id()}) of the endpoints already tried. The cluster
     * invoker avoids them while other candidates remain.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static final Attributes.Key<Set<String>> TRIED_ENDPOINTS =
            (Attributes.Key) Attributes.Key.of("tried-endpoints", Set.class);

    /** Set by proxies: whether the called method is marked {@link io.outrigger.core.service.Idempotent}. */
    public static final Attributes.Key<Boolean> IDEMPOTENT = Attributes.Key.of("idempotent", Boolean.class);

    /**
     * Set by proxies on the call that carries a stream: the method's kind (absent: unary). A stream is
     * one call of the chain, lasting as long as the stream: interceptors that time calls (timeouts,
     * slow-call breakers, latency-aware balancers) treat it by its outcome, not its duration.
     */
    public static final Attributes.Key<io.outrigger.core.service.MethodKind> METHOD_KIND =
            Attributes.Key.of("method-kind", io.outrigger.core.service.MethodKind.class);

    /**
     * Set on the call that carries a stream, on both sides: its message counts so far, for
     * interceptors that record them at the stream's end.
     */
    public static final Attributes.Key<io.outrigger.core.stream.StreamProgress> STREAM_PROGRESS =
            Attributes.Key.of("stream-progress", io.outrigger.core.stream.StreamProgress.class);

    /**
     * Whether {@code request} carries a stream: on a client, {@link #METHOD_KIND} is a streaming kind;
     * on a server (which learns the kind only when the service runs), it has {@link #STREAM_PROGRESS}.
     */
    public static boolean isStream(RpcRequest request) {
        io.outrigger.core.service.MethodKind kind = request.attributes().get(METHOD_KIND);
        return kind != null ? kind.isStreaming() : request.attributes().get(STREAM_PROGRESS) != null;
    }

    /** The 1-based number of this attempt, set by a retry policy (absent: first attempt). */
    public static final Attributes.Key<Integer> ATTEMPT = Attributes.Key.of("attempt", Integer.class);

    /** Set by the server: the caller's address, {@code host:port}. */
    public static final Attributes.Key<String> REMOTE_ADDRESS = Attributes.Key.of("remote-address", String.class);

    /**
     * Set by a TLS server on every request of a connection whose client presented a certificate that
     * the handshake verified: the identity in it (subject CN, alternative names). Absent without
     * TLS or without a client certificate. {@code io.outrigger.core.auth.AccessControl} reads it.
     */
    public static final Attributes.Key<PeerPrincipal> PEER_PRINCIPAL =
            Attributes.Key.of("peer-principal", PeerPrincipal.class);

    /** Set by the server: the Java method a call dispatches to (absent for generic services). */
    public static final Attributes.Key<java.lang.reflect.Method> JAVA_METHOD =
            Attributes.Key.of("java-method", java.lang.reflect.Method.class);

    /**
     * Set to {@code false} on a request to keep the current {@link CallContext} out of it: no
     * inherited deadline, keys or cancellation. Proxies of a reference built with {@code
     * propagateContext(false)} set it on every call.
     */
    public static final Attributes.Key<Boolean> PROPAGATE_CONTEXT =
            Attributes.Key.of("propagate-context", Boolean.class);

    private CallAttributes() {}
}
