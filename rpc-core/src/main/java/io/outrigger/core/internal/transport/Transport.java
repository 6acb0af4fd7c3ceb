package io.outrigger.core.internal.transport;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The I/O flavour of this JVM: native epoll when Netty's native library loads (Linux x86_64), NIO
 * otherwise. Chosen once; {@code -Doutrigger.transport=nio} forces NIO.
 */
public enum Transport {
    EPOLL,
    NIO;

    private static final Transport DEFAULT = choose();

    private static Transport choose() {
        if ("nio".equalsIgnoreCase(System.getProperty("outrigger.transport"))) {
            return NIO;
        }
        try {
            return Epoll.isAvailable() ? EPOLL : NIO;
        } catch (Throwable t) {
            return NIO;
        }
    }

    /** The transport used by this JVM. */
    public static Transport get() {
        return DEFAULT;
    }

    /** A new event loop group of {@code threads} daemon threads named {@code name-N}. */
    public EventLoopGroup newGroup(int threads, String name) {
        DefaultThreadFactory factory = new DefaultThreadFactory(name, true);
        return this == EPOLL ? new EpollEventLoopGroup(threads, factory) : new NioEventLoopGroup(threads, factory);
    }

    public Class<? extends SocketChannel> socketChannel() {
        return this == EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    /**
     * Makes the accepted channels of {@code bootstrap} stop reading as soon as {@code autoRead} is
     * turned off, which back-pressure ({@link ReadGate}) relies on: with epoll they become
     * level-triggered, since an edge-triggered read event reads the socket until it is empty whatever
     * {@code autoRead} says. Level-triggered also costs one {@code read()} per event instead of two.
     * NIO channels already stop.
     */
    public ServerBootstrap pausableReads(ServerBootstrap bootstrap) {
        if (this == EPOLL) {
            bootstrap.childOption(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
        }
        return bootstrap;
    }

    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
