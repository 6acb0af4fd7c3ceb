package io.outrigger.core.client;

import io.outrigger.core.internal.transport.SharedEventLoops;

/**
 * I/O threads (event loops) that several parts of one process share, owned by whoever created them:
 * a client given them with {@link RpcClient.Builder#eventLoops} runs its connections there and does
 * not stop them when it closes. Close them after everything running on them.
 *
 * <p>What for: a component that does its own I/O on the same loops (the sidecar serves HTTP on them)
 * can make calls that are written, answered and completed on the loop that made them, with no thread
 * hand-off. Most applications need none: a client has its own I/O threads.
 *
 * <pre>{@code
 * try (EventLoops loops = EventLoops.create(2, "app-io")) {
 *     RpcClient client = RpcClient.builder()
 *             .registry(registry)
 *             .eventLoops(loops)
 *             .connectionsPerEndpoint(loops.size()) // one connection per loop to each provider
 *             .build();
 *     ...
 *     client.close(); // before the loops
 * }
 * }</pre>
 *
 * <p>Opaque on purpose, so that no Netty type shows in Outrigger's API: only {@link #create} makes
 * them, and {@link RpcClient.Builder#eventLoops} refuses other implementations. Thread-safe.
 */
public interface EventLoops extends AutoCloseable {

    /**
     * {@code threads} new daemon event loops, named {@code name-N}, of the transport this JVM uses
     * (native epoll on Linux, NIO elsewhere; {@code -Doutrigger.transport=nio} forces NIO).
     *
     * @throws IllegalArgumentException if {@code threads} is not 1..256 or {@code name} is blank
     */
    static EventLoops create(int threads, String name) {
        return SharedEventLoops.create(threads, name);
    }

    /** How many loops there are. */
    int size();

    /** Stops the loops after their pending tasks (at most 2 s), closing every channel still on them. */
    @Override
    void close();
}
