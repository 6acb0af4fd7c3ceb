package io.outrigger.core.internal.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
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

    public Class<? extends ServerChannel> serverChannel() {
        return this == EPOLL ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }
}
