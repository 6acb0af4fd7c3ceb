package io.outrigger.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node ZooKeeper server running inside this process on 127.0.0.1, for the quickstart,
 * demos and tests: when no registry address is configured, start one and point a {@link
 * ZooKeeperRegistry} at {@link #connectString()}. Data lives in a temporary directory removed by
 * {@link #close()}. Not for production: one node, no durability across runs.
 *
 * <pre>{@code
 * try (EmbeddedZooKeeper zk = EmbeddedZooKeeper.start();
 *      ZooKeeperRegistry registry = ZooKeeperRegistry.builder(zk.connectString()).build()) {
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class EmbeddedZooKeeper implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedZooKeeper.class);

    /** ZooKeeper's default tick; sessions may then last 4..40 s. */
    private static final int TICK_MILLIS = 2000;

    private final Path dataDirectory;
    private final ZooKeeperServer server;
    private final ServerCnxnFactory factory;

    private EmbeddedZooKeeper(Path dataDirectory, ZooKeeperServer server, ServerCnxnFactory factory) {
        this.dataDirectory = dataDirectory;
        this.server = server;
        this.factory = factory;
    }

    /** Starts a server on 127.0.0.1 and a free port. */
    public static EmbeddedZooKeeper start() {
        return start(0);
    }

    /**
     * Starts a server on 127.0.0.1:{@code port} (0: a free port).
     *
     * @throws UncheckedIOException when the port is taken or the data directory cannot be made
     */
    public static EmbeddedZooKeeper start(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
        Path dir = null;
        try {
            dir = Files.createTempDirectory("outrigger-zookeeper-");
            ZooKeeperServer server = new ZooKeeperServer(
                    dir.resolve("snapshots").toFile(), dir.resolve("log").toFile(), TICK_MILLIS);
            ServerCnxnFactory factory =
                    ServerCnxnFactory.createFactory(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            factory.startup(server);
            EmbeddedZooKeeper zk = new EmbeddedZooKeeper(dir, server, factory);
            log.info("started an embedded ZooKeeper at {} (data in {}); for development only", zk.connectString(), dir);
            return zk;
        } catch (IOException e) {
            deleteQuietly(dir);
            throw new UncheckedIOException("cannot start an embedded ZooKeeper on 127.0.0.1:" + port, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deleteQuietly(dir);
            throw new IllegalStateException("interrupted while starting an embedded ZooKeeper", e);
        }
    }

    /** The port the server listens on, on 127.0.0.1. */
    public int port() {
        return factory.getLocalPort();
    }

    /** {@code 127.0.0.1:{port}}: what to give {@link ZooKeeperRegistry#builder(String)}. */
    public String connectString() {
        return InetAddress.getLoopbackAddress().getHostAddress() + ":" + port();
    }

    /** Stops the server and deletes its data. Idempotent. */
    @Override
    public void close() {
        factory.shutdown();
        if (server.isRunning()) {
            server.shutdown();
        }
        deleteQuietly(dataDirectory);
    }

    @Override
    public String toString() {
        return "EmbeddedZooKeeper{" + connectString() + "}";
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory; the OS cleans it eventually
        }
    }
}
