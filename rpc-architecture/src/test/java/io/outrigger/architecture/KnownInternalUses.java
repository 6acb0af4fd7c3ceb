package io.outrigger.architecture;

import static io.outrigger.architecture.OutriggerModule.SIDECAR;

import java.util.List;

/**
 * The uses of another module's {@code internal} types that existed when the boundary check came:
 * debt to pay off, one entry per used type, each with its reason. Each one should end by a public
 * seam in the owning module (or by moving the type down into a public package), never by a new
 * entry.
 *
 * <p>Adding an entry is an API decision: it needs a review and a reason. {@link
 * InternalPackagesTest} also fails when an entry is no longer needed, so that paid debt is struck
 * off the list.
 */
final class KnownInternalUses {

    static final List<KnownInternalUse> ALL = List.of(
            new KnownInternalUse(
                    SIDECAR,
                    "io.outrigger.core.internal.transport.SharedEventLoops",
                    "the HTTP endpoint and the sidecar's client share event loops, so a call stays on the loop"
                            + " that read it; rpc-core's public EventLoops cannot yet hand out its Netty group"),
            new KnownInternalUse(
                    SIDECAR,
                    "io.outrigger.core.internal.transport.Transport",
                    "the HTTP endpoint picks the epoll or NIO server channel the shared loops were made for"),
            new KnownInternalUse(
                    SIDECAR,
                    "io.outrigger.core.internal.transport.ReadGate",
                    "the HTTP/1.1 and h2c endpoint applies the same read back-pressure as the native server"),
            new KnownInternalUse(
                    SIDECAR,
                    "io.outrigger.core.internal.transport.ConnectionLimiter",
                    "the HTTP endpoint caps connections in total and per address like the native server"),
            new KnownInternalUse(
                    SIDECAR,
                    "io.outrigger.core.internal.WatchedFile",
                    "--rpc-token-file is re-read when it changes, as rpc-core's BearerToken file is"));

    private KnownInternalUses() {}
}
