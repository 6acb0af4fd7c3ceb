package io.outrigger.core.internal.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import io.outrigger.core.internal.protocol.FrameDecoder;
import io.outrigger.core.internal.protocol.FrameEncoder;
import io.outrigger.core.internal.protocol.ProtocolLimits;
import io.outrigger.core.internal.tls.SslContextSource;
import io.outrigger.core.internal.tls.TlsSessions;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;

/**
 * The client side of the native protocol: event loops, a bootstrap, and the connections to each
 * provider address, shared by every service that provider serves.
 *
 * <p>The connections to a provider are pinned to consecutive event loops, starting from a loop that
 * moves on with each provider (so that providers spread over the loops): with as many connections
 * per provider as loops, each loop owns one connection to each provider, and a call made on a loop
 * is sent on that loop's connection ({@link PeerConnections#send}).
 */
public final class ClientTransport implements AutoCloseable {

    private final EventLoopGroup group;
    /** Whether {@link #group} is this transport's own, to stop on close. */
    private final boolean ownsGroup;

    private final List<EventLoop> loops;
    private final AtomicInteger nextFirstLoop = new AtomicInteger();
    private final Bootstrap bootstrap;
    private final FrameEncoder encoder;
    private final ProtocolLimits limits;
    private final ClientTransportConfig config;
    private final SslContextSource tls;
    private final Map<String, PeerConnections> peers = new ConcurrentHashMap<>();

    public ClientTransport(ClientTransportConfig config, io.outrigger.serialization.Serializers serializers) {
        this.config = config;
        SharedEventLoops shared = config.sharedLoops();
        Transport transport = shared == null ? Transport.get() : shared.transport();
        this.ownsGroup = shared == null;
        this.group =
                shared == null ? transport.newGroup(config.eventLoopThreads(), "outrigger-client") : shared.group();
        List<EventLoop> list = new ArrayList<>();
        for (EventExecutor e : group) {
            list.add((EventLoop) e);
        }
        this.loops = List.copyOf(list);
        this.limits = new ProtocolLimits(config.maxMessageSize(), config.maxMetadataSize());
        this.encoder = new FrameEncoder(serializers, config.maxMessageSize());
        this.tls = config.tls();
        this.bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        config.connectTimeout().toMillis())
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // The connection handler is added once the connect succeeds (see connect()).
                    }
                });
    }

    /** The connections to {@code host:port}, created on first use and shared. Call {@link #release} when done. */
    public synchronized PeerConnections acquire(String host, int port) {
        String key = host + ":" + port;
        PeerConnections p = peers.get(key);
        if (p == null) {
            p = new PeerConnections(
                    this, host, port, config.connectionsPerEndpoint(), nextFirstLoop.getAndIncrement() % loops.size());
            peers.put(key, p);
        }
        p.retain();
        return p;
    }

    /** Drops one reference to {@code peer}; the last closes its connections once their calls finish. */
    public synchronized void release(PeerConnections peer) {
        if (!peer.release()) {
            peers.remove(peer.key(), peer);
        }
    }

    /**
     * Opens a connection to {@code address} on event loop number {@code loop} (modulo their number);
     * the future completes with it or with the connect failure.
     */
    CompletableFuture<ClientConnection> connect(InetSocketAddress address, String remote, int loop) {
        CompletableFuture<ClientConnection> result = new CompletableFuture<>();
        ChannelFuture f = bootstrap.clone(loops.get(loop % loops.size())).connect(address);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                result.completeExceptionally(done.cause());
                return;
            }
            Channel ch = f.channel();
            ClientConnection connection = new ClientConnection(
                    ch,
                    remote,
                    encoder,
                    tls != null && tls.presentsCertificate(),
                    config.maxQueuedBytesPerConnection(),
                    config.heartbeatInterval().toNanos());
            long hb = config.heartbeatInterval().toMillis();
            SslHandler ssl =
                    tls == null ? null : tls.newClientHandler(ch.alloc(), address.getHostString(), address.getPort());
            if (ssl != null) {
                ch.pipeline().addLast("tls", ssl); // first: everything after it sees plaintext
            }
            ch.pipeline()
                    .addLast("idle", new IdleStateHandler(3 * hb, 0, 0, TimeUnit.MILLISECONDS))
                    .addLast("decoder", new FrameDecoder(limits))
                    .addLast("connection", connection);
            if (ssl == null) {
                result.complete(connection);
                return;
            }
            // The connection is usable only once the handshake verified the server.
            ssl.handshakeFuture().addListener(handshake -> {
                if (handshake.isSuccess()) {
                    result.complete(connection);
                } else {
                    ch.close();
                    SSLHandshakeException e = new SSLHandshakeException("TLS handshake with " + remote + " failed: "
                            + TlsSessions.describeFailure(handshake.cause(), tls.presentsCertificate()));
                    e.initCause(handshake.cause());
                    result.completeExceptionally(e);
                }
            });
        });
        return result;
    }

    /** A scheduler for short periodic checks of the client's own (one of its event loops; never block there). */
    public java.util.concurrent.ScheduledExecutorService timer() {
        return loops.get(0);
    }

    int loopCount() {
        return loops.size();
    }

    /** The number of the event loop running the calling thread, or -1 when it is none of this transport's. */
    int currentLoopIndex() {
        for (int i = 0; i < loops.size(); i++) {
            if (loops.get(i).inEventLoop()) {
                return i;
            }
        }
        return -1;
    }

    ClientTransportConfig config() {
        return config;
    }

    @Override
    public void close() {
        for (PeerConnections p : peers.values()) {
            p.closeNow();
        }
        peers.clear();
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
