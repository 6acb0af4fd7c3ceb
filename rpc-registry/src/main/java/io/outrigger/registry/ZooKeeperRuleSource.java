package io.outrigger.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.outrigger.core.Subscription;
import io.outrigger.core.rules.RuleListener;
import io.outrigger.core.rules.RuleSource;
import io.outrigger.registry.internal.ConnectionSettings;
import io.outrigger.registry.internal.FileRuleCache;
import io.outrigger.registry.internal.InstanceJson;
import io.outrigger.registry.internal.NamedThreadFactory;
import io.outrigger.registry.internal.ZooKeeperLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RuleSource} on ZooKeeper: the rules of a service are the UTF-8 JSON data of the persistent
 * node {@code /outrigger/services/{service}/rules} ({@code outrigger} is the default namespace). This class
 * stores and watches text; the document format belongs to its consumer ({@code docs/rules.md}).
 *
 * <p>{@link #watch} delivers the current document (or {@code null} when there is none) once
 * ZooKeeper answers, then every change, from a notification thread, never on the request path. While
 * ZooKeeper is unreachable nothing is delivered, so the rules in force stay in force.
 *
 * <p>The rule source of a {@link ZooKeeperRegistry} ({@link ZooKeeperRegistry#ruleSource()}) also keeps
 * a <b>file cache</b> of the documents it reads, in {@code rules/} inside the registry's cache
 * directory: every document delivered from ZooKeeper is written there (atomically), a deleted one is
 * deleted. When ZooKeeper has not answered within the registry's startup wait, a new watch delivers
 * the cached document instead, so a process restarted during an outage starts with its rules; once
 * ZooKeeper answers, its document (or its absence) replaces the cached one. A corrupt file is logged
 * ({@code WARN} naming it) and ignored.
 *
 * <p>{@link #publish}, {@link #read} and {@link #delete} write and read documents directly, for tools
 * such as a command line; they block until ZooKeeper answers (bounded by the connection timeout and
 * a few retries) and throw {@link RegistryException} when it does not.
 *
 * <pre>{@code
 * try (ZooKeeperRuleSource rules = ZooKeeperRuleSource.builder("127.0.0.1:2181").build()) {
 *     rules.publish("demo.UserService", "{\"timeoutMillis\": 800}");
 * }
 * }</pre>
 *
 * <p>Thread-safe. Get one sharing a registry's connection from {@link ZooKeeperRegistry#ruleSource()}.
 */
public final class ZooKeeperRuleSource implements RuleSource {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperRuleSource.class);

    private final CuratorFramework client;
    private final ScheduledExecutorService notifier;
    private final String describe;
    private final ZooKeeperLayout layout;
    private final boolean ownsConnection;
    private final long connectionTimeoutMillis;
    private final FileRuleCache files;
    private final Supplier<Duration> fallbackDelay;
    private final List<RuleWatch> watches = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    ZooKeeperRuleSource(
            CuratorFramework client,
            ScheduledExecutorService notifier,
            ConnectionSettings settings,
            boolean ownsConnection) {
        this(client, notifier, settings, ownsConnection, null, null);
    }

    /**
     * With {@code files} (or null for none): watches start from the file of their service when
     * ZooKeeper has not delivered within {@code fallbackDelay} (asked when each watch starts).
     */
    ZooKeeperRuleSource(
            CuratorFramework client,
            ScheduledExecutorService notifier,
            ConnectionSettings settings,
            boolean ownsConnection,
            FileRuleCache files,
            Supplier<Duration> fallbackDelay) {
        this.files = files;
        this.fallbackDelay = fallbackDelay;
        this.client = client;
        this.connectionTimeoutMillis = settings.connectionTimeout().toMillis();
        this.notifier = notifier;
        this.describe = settings.describe();
        this.layout = settings.layout();
        this.ownsConnection = ownsConnection;
    }

    /** A builder for a rule source with its own connection to the ensemble {@code connectString}. */
    public static Builder builder(String connectString) {
        return new Builder(connectString);
    }

    @Override
    public Subscription watch(String service, RuleListener listener) {
        ZooKeeperLayout.checkService(service);
        Objects.requireNonNull(listener, "listener");
        if (closed.get()) {
            throw new IllegalStateException("rule source closed");
        }
        RuleWatch watch = new RuleWatch(service, listener);
        watches.add(watch);
        watch.start();
        return () -> {
            watches.remove(watch);
            watch.close(true);
        };
    }

    /**
     * Stores {@code json} as the rules of {@code service}, creating the node if needed (with the ACL
     * of the credentials, if any).
     *
     * @throws IllegalArgumentException when {@code json} is not a JSON object
     * @throws RegistryException when ZooKeeper cannot be reached or refuses (e.g. an ACL)
     */
    public void publish(String service, String json) {
        String path = layout.rules(service);
        Objects.requireNonNull(json, "json");
        JsonNode tree;
        try {
            tree = InstanceJson.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("rules of " + service + ": not valid JSON: " + e.getMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("rules of " + service + ": expected a JSON object");
        }
        awaitConnection("publish rules of " + service);
        try {
            client.create()
                    .orSetData()
                    .creatingParentContainersIfNeeded()
                    .forPath(path, json.getBytes(StandardCharsets.UTF_8));
            log.info("published rules of {} at {}", service, path);
        } catch (Exception e) {
            throw failure("publish rules of " + service + " at " + path, e);
        }
    }

    /**
     * The rules of {@code service} now, read from ZooKeeper (not from a watch).
     *
     * @throws RegistryException when ZooKeeper cannot be reached or refuses
     */
    public Optional<String> read(String service) {
        String path = layout.rules(service);
        awaitConnection("read rules of " + service);
        try {
            return Optional.ofNullable(text(client.getData().forPath(path)));
        } catch (KeeperException.NoNodeException e) {
            return Optional.empty();
        } catch (Exception e) {
            throw failure("read rules of " + service + " at " + path, e);
        }
    }

    /**
     * Deletes the rules of {@code service}; watchers then receive {@code null}. Returns whether there
     * were rules.
     *
     * @throws RegistryException when ZooKeeper cannot be reached or refuses
     */
    public boolean delete(String service) {
        String path = layout.rules(service);
        awaitConnection("delete rules of " + service);
        try {
            client.delete().forPath(path);
            log.info("deleted rules of {} at {}", service, path);
            return true;
        } catch (KeeperException.NoNodeException e) {
            return false;
        } catch (Exception e) {
            throw failure("delete rules of " + service + " at " + path, e);
        }
    }

    /** Stops every watch; closes the connection when this rule source has its own. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        List<RuleWatch> all = new ArrayList<>(watches);
        watches.clear();
        boolean releaseWatches = !ownsConnection || client.getZookeeperClient().isConnected();
        // Closing our own connection ends its watches anyway, without waiting for ZooKeeper.
        all.forEach(w -> w.close(releaseWatches));
        if (ownsConnection) {
            notifier.shutdownNow();
            client.close();
        }
    }

    @Override
    public String toString() {
        return "ZooKeeperRuleSource{" + describe + "}";
    }

    /** Waits for the connection, at most the connection timeout, so a down ensemble fails fast. */
    private void awaitConnection(String what) {
        boolean up;
        try {
            up = client.getZookeeperClient().isConnected()
                    || client.blockUntilConnected(
                            (int) connectionTimeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            up = false;
        }
        if (!up) {
            throw new RegistryException(
                    "cannot " + what + ": ZooKeeper at " + describe + " not reachable within " + connectionTimeoutMillis
                            + " ms",
                    null);
        }
    }

    private RegistryException failure(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        String why = e instanceof KeeperException.NoAuthException
                ? "not allowed by the node's ACL (set credentials allowed to write it)"
                : e instanceof KeeperException.ConnectionLossException
                        ? "ZooKeeper at " + describe + " not reachable"
                        : e.toString();
        return new RegistryException("cannot " + what + ": " + why, e);
    }

    private static String text(byte[] data) {
        return data == null || data.length == 0 ? null : new String(data, StandardCharsets.UTF_8);
    }

    /** The directory of the rule file cache, or null when there is none. */
    public Path cacheDirectory() {
        return files == null ? null : files.directory();
    }

    /**
     * One watched rules node. Deliveries run on the notifier, one at a time, only on change; so do
     * the file cache's reads and writes.
     */
    private final class RuleWatch {
        private final String service;
        private final String path;
        private final RuleListener listener;
        private final CuratorCache cache;
        private volatile boolean active = true;
        private boolean initialized; // notifier thread
        private boolean deliveredOnce; // notifier thread
        private String last; // notifier thread
        private boolean persistedOnce; // notifier thread
        private String persisted; // notifier thread: the document the file holds (null: no file)
        private ScheduledFuture<?> fallbackTask; // notifier thread

        RuleWatch(String service, RuleListener listener) {
            this.service = service;
            this.path = layout.rules(service);
            this.listener = listener;
            this.cache = CuratorCache.builder(client, path)
                    .withOptions(CuratorCache.Options.SINGLE_NODE_CACHE)
                    .withExceptionHandler(e -> log.debug("rule watch of {}: {}", service, e.toString()))
                    .build();
        }

        void start() {
            cache.listenable()
                    .addListener(CuratorCacheListener.builder()
                            .forInitialized(() -> run(() -> {
                                initialized = true;
                                deliver();
                            }))
                            .forAll((type, oldData, data) -> run(() -> {
                                if (initialized) {
                                    deliver();
                                }
                            }))
                            .build());
            cache.start();
            if (files != null) {
                long waitMillis = fallbackDelay.get().toMillis();
                run(() -> {
                    if (active && !initialized) {
                        fallbackTask = notifier.schedule(() -> fallBackToFile(), waitMillis, TimeUnit.MILLISECONDS);
                    }
                });
            }
        }

        /** ZooKeeper has not answered in time: deliver the cached document, if there is a usable one. */
        private void fallBackToFile() {
            fallbackTask = null;
            if (!active || initialized || deliveredOnce) {
                return;
            }
            FileRuleCache.ReadResult read = files.read(service);
            if (read instanceof FileRuleCache.Loaded loaded) {
                log.warn(
                        "ZooKeeper at {} not reachable: applying the rules of {} from the file cache {} (written"
                                + " {}); reconnecting in the background",
                        describe,
                        service,
                        loaded.file(),
                        loaded.writtenAt() == null ? "at an unknown time" : "at " + loaded.writtenAt());
                deliverDocument(loaded.document());
            } else if (read instanceof FileRuleCache.Corrupt corrupt) {
                log.warn(
                        "ignoring corrupt rule cache file {}: {}; {} starts without those rules until ZooKeeper"
                                + " answers",
                        corrupt.file(),
                        corrupt.reason(),
                        service);
            } else {
                log.debug("no rule cache file {}", read.file());
            }
        }

        private void deliver() {
            if (!active) {
                return;
            }
            String now = cache.get(path)
                    .map(ChildData::getData)
                    .map(ZooKeeperRuleSource::text)
                    .orElse(null);
            if (fallbackTask != null) {
                fallbackTask.cancel(false);
                fallbackTask = null;
            }
            persist(now);
            deliverDocument(now);
        }

        /** Keeps the file cache equal to what ZooKeeper says: {@code now}, or no file when null. */
        private void persist(String now) {
            if (files == null || (persistedOnce && Objects.equals(now, persisted))) {
                return;
            }
            try {
                if (now == null) {
                    if (files.delete(service)) {
                        log.info("rules of {} deleted in ZooKeeper: deleted {}", service, files.fileFor(service));
                    }
                } else {
                    files.write(service, now);
                }
                persistedOnce = true;
                persisted = now;
            } catch (IOException | RuntimeException e) {
                log.warn("cannot write rule cache file {}: {}", files.fileFor(service), e.toString());
            }
        }

        private void deliverDocument(String now) {
            if (deliveredOnce && Objects.equals(now, last)) {
                return;
            }
            deliveredOnce = true;
            last = now;
            try {
                listener.onRules(service, now);
            } catch (RuntimeException e) {
                log.warn("rule listener of {} failed; it keeps receiving updates", service, e);
            }
        }

        void close(boolean releaseWatch) {
            active = false;
            run(() -> {
                if (fallbackTask != null) {
                    fallbackTask.cancel(false);
                }
            });
            if (!releaseWatch) {
                return;
            }
            if (client.getZookeeperClient().isConnected()) {
                cache.close();
            } else {
                // Curator's close talks to ZooKeeper (removing the watch) and would block until it
                // answers; the watch is inactive already, so close it when it can be.
                Thread closer = new Thread(cache::close, "outrigger-rules-close");
                closer.setDaemon(true);
                closer.start();
            }
        }

        private void run(Runnable task) {
            try {
                notifier.execute(task);
            } catch (RejectedExecutionException e) {
                // closing
            }
        }
    }

    /**
     * Builds a {@link ZooKeeperRuleSource} with its own ZooKeeper connection. Validates each setting as
     * it is given; not thread-safe. Defaults match {@link ZooKeeperRegistry.Builder}.
     */
    public static final class Builder {
        private final ConnectionSettings.Builder connection;

        private Builder(String connectString) {
            this.connection = new ConnectionSettings.Builder(connectString);
        }

        /** The path prefix all nodes live under; default {@code outrigger}; empty for none. */
        public Builder namespace(String namespace) {
            connection.namespace(namespace);
            return this;
        }

        /** The ZooKeeper session timeout asked for. Default 30 s. */
        public Builder sessionTimeout(Duration timeout) {
            connection.sessionTimeout(timeout);
            return this;
        }

        /** How long one connection attempt may take. Default 5 s. */
        public Builder connectionTimeout(Duration timeout) {
            connection.connectionTimeout(timeout);
            return this;
        }

        /**
         * Digest credentials; rule nodes written get an ACL giving {@code user} all permissions and
         * everyone else read access (unless {@link #worldReadable(boolean) worldReadable(false)}).
         * Default: none.
         */
        public Builder credentials(String user, String password) {
            connection.credentials(user, password);
            return this;
        }

        /** With {@link #credentials}: whether everyone may read the nodes written. Default true. */
        public Builder worldReadable(boolean worldReadable) {
            connection.worldReadable(worldReadable);
            return this;
        }

        /** A started rule source; does not wait for ZooKeeper. */
        public ZooKeeperRuleSource build() {
            ConnectionSettings settings = connection.build();
            CuratorFramework client = settings.newClient();
            client.start();
            ScheduledExecutorService notifier =
                    Executors.newSingleThreadScheduledExecutor(new NamedThreadFactory("outrigger-rules-notify"));
            return new ZooKeeperRuleSource(client, notifier, settings, true);
        }
    }
}
