package io.outrigger.core.internal.transport;

import io.outrigger.core.RequestNotRunException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections to one provider address (one by default), shared by every service it serves.
 *
 * <p>Connects eagerly, reconnects on demand, and after a failed connect backs off exponentially
 * (with jitter) between attempts; while backing off, calls fail at once with {@code UNAVAILABLE}
 * (the request never left, so a retry elsewhere is safe) and {@link #isAvailable()} is false, so
 * load balancers skip the address. Thread-safe.
 */
public final class PeerConnections {

    private static final Logger log = LoggerFactory.getLogger(PeerConnections.class);

    private final ClientTransport transport;
    private final String host;
    private final int port;
    private final String key;
    private final AtomicReferenceArray<ClientConnection> slots;
    private final AtomicReferenceArray<CompletableFuture<ClientConnection>> connecting;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger refs = new AtomicInteger();
    private volatile boolean closed;

    /** The provider process the connections were made to, as announced; null until told. */
    private String incarnation;

    private volatile long retryAtNanos;
    private volatile int failures;
    private volatile String lastFailure;

    /** Connection {@code i} runs on the transport's event loop {@code firstLoop + i}. */
    private final int firstLoop;

    PeerConnections(ClientTransport transport, String host, int port, int connections, int firstLoop) {
        this.transport = transport;
        this.firstLoop = firstLoop;
        this.host = host;
        this.port = port;
        this.key = host + ":" + port;
        this.slots = new AtomicReferenceArray<>(connections);
        this.connecting = new AtomicReferenceArray<>(connections);
        for (int i = 0; i < connections; i++) {
            connect(i);
        }
    }

    String key() {
        return key;
    }

    void retain() {
        refs.incrementAndGet();
    }

    /** @return whether references remain */
    boolean release() {
        if (refs.decrementAndGet() > 0) {
            return true;
        }
        closed = true;
        for (int i = 0; i < slots.length(); i++) {
            ClientConnection c = slots.get(i);
            if (c != null) {
                c.closeWhenIdle();
            }
        }
        return false;
    }

    void closeNow() {
        closed = true;
        for (int i = 0; i < slots.length(); i++) {
            ClientConnection c = slots.get(i);
            if (c != null) {
                c.channel().close();
            }
        }
    }

    /**
     * Tells which provider process listens at this address now ({@code ServiceInstance.incarnation}).
     * When it differs from the one the connections were made to, the process was restarted: the old
     * connections are closed (calls in flight there fail; the process that had them is gone or going),
     * the back-off is forgotten, and new connections are made, so no call goes over a connection to a
     * process that no longer answers it. Several services of one provider announce the same
     * incarnation, so they agree. Empty (unknown) is ignored.
     *
     * @return whether the connections were renewed
     */
    public boolean incarnation(String incarnation) {
        if (incarnation == null || incarnation.isEmpty()) {
            return false;
        }
        synchronized (this) {
            String before = this.incarnation;
            this.incarnation = incarnation;
            if (before == null || before.equals(incarnation) || closed) {
                return false;
            }
        }
        log.info("{} was restarted (new incarnation): closing the connections to the old process", key);
        failures = 0;
        retryAtNanos = 0;
        for (int i = 0; i < slots.length(); i++) {
            ClientConnection c = slots.getAndSet(i, null);
            if (c != null) {
                c.channel().close();
            }
            connect(i);
        }
        return true;
    }

    /**
     * Whether a connection is up and usable now: open, not told to go away by the provider, and (by
     * the heartbeats) answering, since a connection that reads nothing for 3 heartbeat intervals is
     * closed.
     */
    public boolean connected() {
        for (int i = 0; i < slots.length(); i++) {
            ClientConnection c = slots.get(i);
            if (c != null && c.isUsable()) {
                return true;
            }
        }
        return false;
    }

    /** Whether a call sent now has a chance: a usable connection, or no back-off in force. */
    public boolean isAvailable() {
        for (int i = 0; i < slots.length(); i++) {
            ClientConnection c = slots.get(i);
            if (c != null && c.isUsable()) {
                return true;
            }
        }
        return !closed && System.nanoTime() - retryAtNanos >= 0;
    }

    /**
     * Sends {@code request} on one of the connections, connecting first if needed. Never completes
     * exceptionally.
     *
     * <p>Called on the event loop of one of the connections, it sends there (taking turns among that
     * loop's connections, when it has several): the frame is written and the response completes on
     * the calling thread, without a hand-off to another loop. Otherwise the connections take turns.
     */
    public CompletableFuture<RpcResponse> send(RpcRequest request, AtomicInteger inFlight) {
        int n = slots.length();
        int start = 0;
        if (n > 1) {
            // Connection i lives on loop firstLoop + i: the calling loop's own, if any, come first,
            // taking turns when it has several (connections mine, mine + loops, mine + 2 loops, ...).
            int loops = transport.loopCount();
            int loop = transport.currentLoopIndex();
            int mine = loop < 0 ? -1 : Math.floorMod(loop - firstLoop, loops);
            if (mine >= 0 && mine < n) {
                int own = (n - 1 - mine) / loops + 1;
                start = own == 1 ? mine : mine + loops * Math.floorMod(next.getAndIncrement(), own);
            } else {
                start = Math.floorMod(next.getAndIncrement(), n);
            }
        }
        for (int i = 0; i < n; i++) {
            ClientConnection c = slots.get((start + i) % n);
            if (c != null && c.isUsable()) {
                return c.send(request, inFlight);
            }
        }
        if (closed) {
            return CompletableFuture.completedFuture(
                    RpcResponse.failure(RequestNotRunException.mark(Status.UNAVAILABLE.withDescription(
                            "connections to " + key + " are closed; the request was not sent"))));
        }
        long wait = retryAtNanos - System.nanoTime();
        if (wait > 0) {
            return CompletableFuture.completedFuture(
                    RpcResponse.failure(RequestNotRunException.mark(Status.UNAVAILABLE.withDescription(
                            "cannot connect to " + key + " (" + lastFailure + "); next attempt in "
                                    + Math.max(1, wait / 1_000_000) + " ms; the request was not sent"))));
        }
        return connect(start).handle((c, error) -> c).thenCompose(c -> {
            if (c == null || !c.isUsable()) {
                return CompletableFuture.completedFuture(
                        RpcResponse.failure(RequestNotRunException.mark(Status.UNAVAILABLE.withDescription(
                                "cannot connect to " + key + " (" + lastFailure + "); the request was not sent"))));
            }
            return c.send(request, inFlight);
        });
    }

    /** Connects slot {@code i} unless a connect is already under way; concurrent callers share it. */
    private CompletableFuture<ClientConnection> connect(int i) {
        CompletableFuture<ClientConnection> underway = connecting.get(i);
        if (underway != null) {
            return underway;
        }
        CompletableFuture<ClientConnection> attempt = new CompletableFuture<>();
        if (!connecting.compareAndSet(i, null, attempt)) {
            return connecting.get(i) != null ? connecting.get(i) : connect(i);
        }
        transport.connect(new InetSocketAddress(host, port), key, firstLoop + i).whenComplete((c, error) -> {
            if (error != null) {
                int f = failures + 1;
                failures = f;
                lastFailure = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
                retryAtNanos = System.nanoTime() + backoffNanos(f);
                if (f == 1 || f % 10 == 0) {
                    log.warn("cannot connect to {} ({} failed attempts): {}", key, f, lastFailure);
                }
                connecting.set(i, null);
                attempt.completeExceptionally(error);
                return;
            }
            failures = 0;
            retryAtNanos = 0;
            if (closed) {
                c.channel().close();
            } else {
                slots.set(i, c);
                c.channel().closeFuture().addListener(x -> slots.compareAndSet(i, c, null));
            }
            connecting.set(i, null);
            attempt.complete(c);
        });
        return attempt;
    }

    private long backoffNanos(int failures) {
        ClientTransportConfig config = transport.config();
        long min = config.reconnectBackoffMin().toNanos();
        long max = config.reconnectBackoffMax().toNanos();
        long base = Math.min(max, min << Math.min(failures - 1, 20));
        // +-20% jitter, so callers that lost a provider together do not reconnect together.
        return (long) (base * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    }

    /** Why the last connect failed and when the next attempt is due, or "connected". */
    public String state() {
        if (isAvailable() && System.nanoTime() - retryAtNanos >= 0) {
            return failures == 0 ? "connected" : "reconnecting after: " + lastFailure;
        }
        long wait = Math.max(1, (retryAtNanos - System.nanoTime()) / 1_000_000);
        return lastFailure + "; next attempt in " + wait + " ms";
    }

    @Override
    public String toString() {
        return key;
    }
}
