package io.outrigger.core.internal.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.outrigger.core.Invoker;
import io.outrigger.core.Status;
import io.outrigger.core.internal.protocol.FrameDecoder;
import io.outrigger.core.internal.protocol.FrameEncoder;
import io.outrigger.core.internal.protocol.ProtocolLimits;
import io.outrigger.core.internal.tls.SslContextSource;
import io.outrigger.core.internal.tls.TlsDetector;
import io.outrigger.core.internal.transport.ConnectionLimiter;
import io.outrigger.core.internal.transport.ReadGate;
import io.outrigger.core.internal.transport.Transport;
import io.outrigger.core.service.ServiceDescriptor;
import io.outrigger.serialization.Serializers;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of the native protocol: accepts connections, decodes frames on the event loops,
 * dispatches calls through the {@link ServerChain} (on the business executor, or on the event loop
 * for non-blocking methods), and shuts down gracefully.
 *
 * <pre>
 * socket -> ConnectionLimiter (past the caps: GOAWAY "refused" and close; then it leaves the pipeline)
 *        -> [TLS: TlsDetector, which becomes the SslHandler; a plaintext client gets UNAVAILABLE]
 *        -> idle (closes connections silent for 3x the heartbeat interval)
 *        -> FrameDecoder (limits checked before allocating)
 *        -> ServerConnection (heartbeats, oversized frames, hands requests to the Dispatcher; its
 *           ReadGate stops reading while too many calls are unanswered or answers are not read)
 *        -> Dispatcher: methods returning a plain message go to the business executor; those
 *           returning a CompletionStage, and generic Invoker services, stay on this event loop
 *        -> ServerChain (tracing, metrics, access log, auth, limits, user interceptors)
 *        -> service -> encode -> WriteQueue (batched flush)
 * </pre>
 */
public final class ServerTransport {

    private static final Logger log = LoggerFactory.getLogger(ServerTransport.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final ExecutorService executor;
    private final boolean ownsExecutor;
    private final Dispatcher dispatcher;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final Channel serverChannel;

    /** The settings of a server transport, validated by the public builder. */
    public record Config(
            String host,
            int port,
            int ioThreads,
            int maxMessageSize,
            int maxMetadataSize,
            Duration idleTimeout,
            Serializers serializers,
            boolean nonBlockingOnEventLoop,
            SslContextSource tls,
            int maxConnections,
            int maxConnectionsPerAddress,
            int maxConcurrentCallsPerConnection,
            long maxQueuedBytesPerConnection,
            int maxStreamsPerConnection,
            boolean sendErrorDetails) {}

    /**
     * Binds and starts serving.
     *
     * @param javaServices Java implementations by descriptor
     * @param genericServices invokers for services without a Java interface, by name
     * @param chain the server interceptors, by slot
     */
    public ServerTransport(
            Config config,
            Map<ServiceDescriptor, Object> javaServices,
            Map<String, Invoker> genericServices,
            ServerChain chain,
            ExecutorService executor,
            boolean ownsExecutor,
            String executorDescription) {
        Map<String, Invoker> services = new LinkedHashMap<>(genericServices);
        javaServices.forEach((descriptor, impl) -> services.put(
                descriptor.name(),
                new JavaServiceInvoker(descriptor, impl, config.serializers(), config.sendErrorDetails())));
        this.executor = executor;
        this.ownsExecutor = ownsExecutor;
        this.dispatcher =
                new Dispatcher(services, chain::around, executor, executorDescription, config.nonBlockingOnEventLoop());
        ProtocolLimits limits = new ProtocolLimits(config.maxMessageSize(), config.maxMetadataSize());
        FrameEncoder encoder = new FrameEncoder(config.serializers(), config.maxMessageSize());
        Transport transport = Transport.get();
        this.boss = transport.newGroup(1, "outrigger-accept");
        this.workers = transport.newGroup(config.ioThreads(), "outrigger-server-io");
        long idleMillis = config.idleTimeout().toMillis();
        SslContextSource tls = config.tls();
        ConnectionLimiter limiter = new ConnectionLimiter(
                "RPC server on port " + config.port(),
                config.maxConnections(),
                config.maxConnectionsPerAddress(),
                (ctx, reason) -> {
                    if (tls == null) {
                        // Id 0: no request of this connection was accepted; the client reads the reason.
                        ctx.channel()
                                .writeAndFlush(FrameEncoder.goAway(ctx.alloc(), 0, reason))
                                .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
                    } else {
                        ctx.close();
                    }
                });
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, ReadGate.WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast("limit", limiter);
                        if (tls != null) {
                            // First, so everything after it sees plaintext; it becomes the SslHandler.
                            ch.pipeline().addLast("tls", new TlsDetector(tls, encoder));
                        }
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("decoder", new FrameDecoder(limits))
                                .addLast(
                                        "connection",
                                        new ServerConnection(
                                                dispatcher,
                                                encoder,
                                                config.maxConcurrentCallsPerConnection(),
                                                config.maxQueuedBytesPerConnection(),
                                                config.maxStreamsPerConnection()));
                    }
                });
        transport.pausableReads(bootstrap);
        try {
            this.serverChannel = bootstrap
                    .bind(new InetSocketAddress(config.host(), config.port()))
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            shutdownThreads();
            throw new IllegalStateException("cannot listen on " + config.host() + ":" + config.port() + ": " + e, e);
        }
    }

    /** The port listened on. */
    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Calls accepted and not yet answered. */
    public int inFlight() {
        return dispatcher.inFlight();
    }

    /** Open client connections. */
    public int connectionCount() {
        return connections.size();
    }

    /**
     * Graceful shutdown: stops accepting, sends the closing frame on every connection so clients send
     * no new calls, waits up to {@code drainTimeout} for calls in flight, then closes everything.
     *
     * @return the calls still in flight when the wait ended (0 when all finished)
     */
    public int shutdown(Duration drainTimeout) {
        serverChannel.close().syncUninterruptibly();
        for (Channel ch : connections) {
            ServerConnection c = ch.pipeline().get(ServerConnection.class);
            if (c != null) {
                c.goAway("server shutting down");
            }
        }
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (dispatcher.inFlight() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = dispatcher.inFlight();
        if (left > 0) {
            log.warn("drain timeout {} passed with {} calls in flight; closing anyway", drainTimeout, left);
            // Streams still open get an end saying why, before the connection closes under them.
            Status closing = Status.UNAVAILABLE.withDescription("server shutting down: its drain timeout of "
                    + drainTimeout.toMillis() + " ms passed with the stream still open");
            for (Channel ch : connections) {
                ServerConnection c = ch.pipeline().get(ServerConnection.class);
                if (c != null) {
                    c.endStreams(closing);
                }
            }
        }
        // Flush what is written before closing, so the last responses are not dropped.
        for (Channel ch : connections) {
            ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER)
                    .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
        }
        for (Channel ch : connections) {
            ch.closeFuture().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        shutdownThreads();
        return left;
    }

    private void shutdownThreads() {
        if (ownsExecutor) {
            executor.shutdown();
        }
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
