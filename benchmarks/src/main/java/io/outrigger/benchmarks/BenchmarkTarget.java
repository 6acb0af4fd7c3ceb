package io.outrigger.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * A system under test: how to start its server and how to connect a client to it.
 *
 * <p>The orchestrator runs {@link #startServer} in one JVM and {@link #connect} in another, both on
 * 127.0.0.1. Implementations need a public no-argument constructor or a line in {@link Targets}.
 * Example, the whole raw-Netty target: {@link io.outrigger.benchmarks.netty.NettyTarget}.
 */
public interface BenchmarkTarget {

    /** The short name used on the command line and in reports, e.g. {@code grpc-direct}. */
    String name();

    /** One line for the report saying what is measured, e.g. the threading model. */
    String description();

    /**
     * Starts a server for every {@link Workload} on {@code 127.0.0.1:port} in this JVM.
     *
     * @param port the port to bind; {@code 0} picks a free one (used by tests)
     */
    RunningServer startServer(int port) throws Exception;

    /** Connects a client to the server at {@code host:port}; one connection, as every peer uses. */
    Client connect(String host, int port) throws Exception;

    /**
     * Opens {@code connections} independent connections to the server at {@code host:port} and
     * returns one client whose calls spread over them. Targets override this to open them the way
     * their peer's documentation suggests (a connection-count setting, event loops shared by the
     * connections); the default calls {@link #connect(String, int)} that many times and hands out
     * calls in turn.
     *
     * @throws UnsupportedOperationException if the target cannot measure several connections; the
     *     report shows the cell as skipped with the exception's message
     */
    default Client connect(String host, int port, int connections) throws Exception {
        if (connections == 1) {
            return connect(host, port);
        }
        List<Client> clients = new ArrayList<>(connections);
        try {
            for (int i = 0; i < connections; i++) {
                clients.add(connect(host, port));
            }
        } catch (Exception | Error e) {
            clients.forEach(Client::close);
            throw e;
        }
        return new RoundRobinClient(clients);
    }

    /**
     * Connects a streaming client to the server at {@code host:port}, on one connection, for the
     * {@link StreamWorkload}s. The default throws: a target streams only if it overrides this.
     *
     * @throws UnsupportedOperationException if the target does not stream; the report shows its
     *     streaming cells as skipped with the exception's message
     */
    default StreamClient connectStreams(String host, int port) throws Exception {
        throw new UnsupportedOperationException(name() + " has no streaming client");
    }

    /**
     * Whether this target may only run inside a loopback-only network namespace because it does
     * not keep to 127.0.0.1 by itself (Dubbo 3.3). Default {@code false}.
     */
    default boolean needsLoopbackNamespace() {
        return false;
    }
}
