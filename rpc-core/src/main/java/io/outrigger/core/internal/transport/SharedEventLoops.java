package io.outrigger.core.internal.transport;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.outrigger.core.client.EventLoops;
import io.outrigger.core.internal.Checks;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The one implementation of {@link EventLoops}: event loops that several parts of one process run
 * their channels on, owned by whoever created them: a client given these loops does not stop them
 * when it closes. This side of it hands out the Netty types, for Outrigger's own modules.
 *
 * <p>Why: the sidecar serves HTTP and calls providers on the same loops, one provider connection per
 * loop, so a call read on loop N is written, answered and written back on loop N without ever
 * changing threads (see {@code docs/sidecar.md}). Thread-safe.
 */
public final class SharedEventLoops implements EventLoops {

    private final Transport transport;
    private final EventLoopGroup group;
    private final List<EventLoop> loops;

    private SharedEventLoops(Transport transport, EventLoopGroup group) {
        this.transport = transport;
        this.group = group;
        List<EventLoop> list = new ArrayList<>();
        for (EventExecutor e : group) {
            list.add((EventLoop) e);
        }
        this.loops = List.copyOf(list);
    }

    /** {@code threads} new daemon event loops of this JVM's {@link Transport}, named {@code name-N}. */
    public static SharedEventLoops create(int threads, String name) {
        Checks.range("threads", threads, 1, 256);
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name: blank (expected: a thread name prefix, e.g. \"app-io\")");
        }
        Transport transport = Transport.get();
        return new SharedEventLoops(transport, transport.newGroup(threads, name));
    }

    /**
     * {@code loops} as made by {@link EventLoops#create}.
     *
     * @throws IllegalArgumentException if {@code loops} is another implementation
     */
    public static SharedEventLoops of(EventLoops loops) {
        Objects.requireNonNull(loops, "eventLoops");
        if (loops instanceof SharedEventLoops shared) {
            return shared;
        }
        throw new IllegalArgumentException("eventLoops: " + loops.getClass().getName()
                + " (expected: event loops made by EventLoops.create(threads, name))");
    }

    /** The transport the loops belong to: channels on them must be of its classes. */
    public Transport transport() {
        return transport;
    }

    /** The group, for bootstraps. */
    public EventLoopGroup group() {
        return group;
    }

    /** The loops, in a fixed order: the i-th connection to a peer is pinned to {@code loops().get(i % size)}. */
    public List<EventLoop> loops() {
        return loops;
    }

    @Override
    public int size() {
        return loops.size();
    }

    /** Stops the loops after their pending tasks (at most 2 s), closing every channel still on them. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
