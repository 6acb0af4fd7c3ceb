package io.outrigger.registry;

import io.outrigger.core.Subscription;
import io.outrigger.core.registry.InstanceListener;
import io.outrigger.core.registry.Registry;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.registry.internal.ConnectionSettings;
import io.outrigger.registry.internal.FileNodeCache;
import io.outrigger.registry.internal.FileRuleCache;
import io.outrigger.registry.internal.InstanceJson;
import io.outrigger.registry.internal.NamedThreadFactory;
import io.outrigger.registry.internal.ProviderNode;
import io.outrigger.registry.internal.PushProtection;
import io.outrigger.registry.internal.ServiceWatch;
import io.outrigger.registry.internal.ZooKeeperLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Registry} on Apache ZooKeeper (through Apache Curator), with the memory and file node
 * caches that keep consumers working while ZooKeeper is down.
 *
 * <pre>{@code
 * try (ZooKeeperRegistry registry = ZooKeeperRegistry.builder("127.0.0.1:2181").build()) {
 *     registry.register(ServiceInstance.builder("demo.UserService", "127.0.0.1", 7001).build());
 *     Subscription s = registry.subscribe("demo.UserService", (service, instances) -> ...);
 * }
 * }</pre>
 *
 * <h2>Providers</h2>
 * {@link #register} writes an ephemeral node {@code /outrigger/services/{service}/providers/{host:port}}
 * whose data is the instance as JSON (layout and format: {@code docs/registry.md}), and keeps it
 * there: it is created once ZooKeeper is reachable, re-created after a session expiry, and
 * re-created if someone deletes it. {@link #unregister} first writes an ephemeral "leaving" marker
 * so that consumers see a graceful departure, then deletes the node.
 *
 * <h2>Consumers</h2>
 * {@link #subscribe} watches the service with a Curator cache (a persistent recursive watch): the
 * listener is called from the registry's notification thread, never on the request path, with the
 * whole list each time it changes. Changes arriving within the {@linkplain Builder#coalescingWindow
 * coalescing window} are delivered as one. Every list read from ZooKeeper is also written to the
 * {@linkplain Builder#cacheDirectory file cache}; when ZooKeeper cannot be reached within the
 * {@linkplain Builder#startupWait startup wait}, a new subscription starts from that file and
 * reconciles with ZooKeeper once it answers. While ZooKeeper is down, consumers keep their lists.
 *
 * <h2>Push protection</h2>
 * An update that empties a service, or removes more than the {@linkplain
 * Builder#pushProtectionThreshold threshold} of its instances at once (default 50%), is held back:
 * the removed instances stay listed until a re-read after the {@linkplain Builder#confirmationDelay
 * confirmation delay} confirms they are gone. Graceful departures are never held back.
 *
 * <p>Thread-safe. {@link #close()} unregisters what this registry registered, stops every
 * subscription and closes the ZooKeeper session.
 */
public final class ZooKeeperRegistry implements Registry {

    private static final Logger log = LoggerFactory.getLogger(ZooKeeperRegistry.class);

    private final ConnectionSettings connection;
    private final ZooKeeperLayout layout;
    private final CuratorFramework client;
    private final ScheduledExecutorService notifier;
    private final ExecutorService background;
    private volatile Thread notifierThread;
    private final ServiceWatch.Options watchOptions;
    private final FileNodeCache fileCache;
    private final Duration startupWait;
    private final Clock clock;
    private final long startedAtNanos = System.nanoTime();
    private volatile boolean everConnected;

    private final Object lock = new Object();
    private final Map<String, ServiceWatch> watches = new HashMap<>(); // guarded by lock
    private final Map<String, Provider> providers = new HashMap<>(); // guarded by lock
    private ZooKeeperRuleSource ruleSource; // guarded by lock
    private boolean closed; // guarded by lock

    private record Provider(ServiceInstance instance, ProviderNode node) {}

    private ZooKeeperRegistry(Builder b) {
        this.connection = b.connection.build();
        this.layout = connection.layout();
        this.startupWait = b.startupWait;
        this.clock = b.clock;
        this.fileCache = b.fileCache ? new FileNodeCache(b.cacheDirectory(), clock, b.fileCacheMaxAge) : null;
        this.watchOptions = new ServiceWatch.Options(
                layout,
                b.coalescingWindow,
                b.confirmationDelay,
                new PushProtection(b.pushProtection, b.threshold),
                fileCache,
                connection.describe());
        NamedThreadFactory notifyThreads = new NamedThreadFactory("outrigger-registry-notify");
        ScheduledThreadPoolExecutor stpe = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = notifyThreads.newThread(r);
            notifierThread = t;
            return t;
        });
        stpe.setRemoveOnCancelPolicy(true);
        this.notifier = stpe;
        this.background = Executors.newCachedThreadPool(new NamedThreadFactory("outrigger-registry-background"));
        this.client = connection.newClient();
        client.getConnectionStateListenable().addListener((c, state) -> onConnectionState(state));
        client.start();
        log.info(
                "ZooKeeper registry for {}: file cache {}, startup wait {}, push protection {}",
                connection.describe(),
                fileCache == null ? "off" : fileCache.directory(),
                startupWait,
                b.pushProtection
                        ? "above " + Math.round(b.threshold * 100) + "%, confirmed after " + b.confirmationDelay
                        : "off");
    }

    /**
     * A builder for a registry on the ensemble {@code connectString}, e.g. {@code 127.0.0.1:2181} or
     * {@code zk1:2181,zk2:2181,zk3:2181/chroot}.
     */
    public static Builder builder(String connectString) {
        return new Builder(connectString);
    }

    @Override
    public void register(ServiceInstance instance) {
        Objects.requireNonNull(instance, "instance");
        String path = layout.provider(instance.service(), instance.id());
        byte[] data = InstanceJson.toBytes(instance);
        String key = instance.service() + "/" + instance.id();
        ProviderNode node;
        synchronized (lock) {
            checkOpen();
            Provider existing = providers.get(key);
            if (existing != null) {
                if (!existing.instance().equals(instance)) {
                    // Same address, new metadata: a change of data, so consumers never see it vanish.
                    existing.node().update(data);
                    providers.put(key, new Provider(instance, existing.node()));
                    log.info("updated {} at {}", instance, path);
                }
                return;
            }
            if (connected()) {
                // A marker left by an earlier unregister of this address would make a later crash
                // of this provider look graceful. Same session as the create below, so ZooKeeper
                // applies the two in order.
                deleteQuietly(layout.leavingMarker(instance.service(), instance.id()));
            }
            node = new ProviderNode(client, path, data);
            providers.put(key, new Provider(instance, node));
        }
        node.start();
        // When ZooKeeper is up, return once the node exists, so "registered" means visible. When
        // it is down, return at once: the node is created as soon as it is back.
        awaitFirstConnection();
        boolean created = false;
        if (connected()) {
            try {
                created = node.awaitCreated(connection.connectionTimeout());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (created) {
            log.info("registered {} at {}", instance, path);
        } else {
            log.warn(
                    "registering {} at {}: ZooKeeper not reachable yet; the node is created once it is",
                    instance,
                    path);
        }
    }

    @Override
    public void unregister(ServiceInstance instance) {
        Objects.requireNonNull(instance, "instance");
        Provider provider;
        synchronized (lock) {
            provider = providers.remove(instance.service() + "/" + instance.id());
        }
        if (provider == null) {
            log.debug("unregister of {}: not registered here; ignored", instance);
            return;
        }
        withdraw(provider);
    }

    private void withdraw(Provider provider) {
        ServiceInstance instance = provider.instance();
        // The marker tells consumers this departure is graceful, so push protection lets it through.
        // Ephemeral: it lives as long as this session, which outlasts the propagation delay.
        String marker = layout.leavingMarker(instance.service(), instance.id());
        byte[] markerData = clock.instant().toString().getBytes(StandardCharsets.UTF_8);
        if (provider.node().close(marker, markerData, connection.connectionTimeout())) {
            log.info("unregistered {}", instance);
        } else {
            log.info(
                    "unregistering {}: ZooKeeper not reachable; its node is removed once it is (or when this"
                            + " session ends)",
                    instance);
        }
    }

    @Override
    public Subscription subscribe(String service, InstanceListener listener) {
        ZooKeeperLayout.checkService(service);
        Objects.requireNonNull(listener, "listener");
        ServiceWatch watch;
        ServiceWatch.Entry entry;
        synchronized (lock) {
            checkOpen();
            watch = watches.get(service);
            if (watch == null) {
                watch = new ServiceWatch(service, client, notifier, background, this::connected, watchOptions);
                watch.start(fallbackDelay());
                watches.put(service, watch);
            }
            entry = watch.addListener(listener);
        }
        if (Thread.currentThread() != notifierThread) {
            // The contract says the listener has the list "soon": give it the first one before
            // returning, so a client built right after subscribe() can route at once.
            try {
                entry.awaitFirst(startupWait.plusSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ServiceWatch w = watch;
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                synchronized (lock) {
                    if (w.removeListener(entry) && watches.get(service) == w) {
                        watches.remove(service);
                        w.close();
                    }
                }
            }
        };
    }

    /** Right after build(), waits for the first connection, at most what is left of the startup wait. */
    private void awaitFirstConnection() {
        if (everConnected || connected()) {
            return;
        }
        long leftMillis = (startupWait.toNanos() - (System.nanoTime() - startedAtNanos)) / 1_000_000;
        if (leftMillis > 0) {
            try {
                client.blockUntilConnected((int) leftMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Duration fallbackDelay() {
        if (connected()) {
            return startupWait; // the cache will load in milliseconds; the wait is a bound
        }
        if (!everConnected) {
            // Starting up: give ZooKeeper the startup wait counted from build(), not per subscription.
            long left = startupWait.toNanos() - (System.nanoTime() - startedAtNanos);
            return Duration.ofNanos(Math.max(0, left));
        }
        return Duration.ZERO; // ZooKeeper went away after working: use the file at once
    }

    /**
     * The memory cache: the instances of {@code service} that its subscribers have now. Empty when the
     * service is not subscribed. Never talks to ZooKeeper.
     */
    public List<ServiceInstance> instances(String service) {
        ServiceWatch watch;
        synchronized (lock) {
            watch = watches.get(service);
        }
        return watch == null ? List.of() : watch.instances();
    }

    /**
     * Where {@link #instances(String)} of {@code service} comes from, or null when the service is not
     * subscribed or has no list yet.
     */
    public InstanceOrigin origin(String service) {
        ServiceWatch watch;
        synchronized (lock) {
            watch = watches.get(service);
        }
        return watch == null ? null : watch.origin();
    }

    /** Whether the ZooKeeper connection is up now. */
    public boolean connected() {
        return client.getZookeeperClient().isConnected();
    }

    /**
     * A {@link io.outrigger.core.rules.RuleSource} on this registry's ZooKeeper connection (the same
     * ensemble, namespace and credentials); closed with the registry. Same instance on every call.
     * With the file cache on, it caches the rule documents it reads in {@code
     * {cacheDirectory}/rules/} and starts from them when ZooKeeper does not answer within the startup
     * wait, as subscriptions do with provider lists.
     */
    public ZooKeeperRuleSource ruleSource() {
        synchronized (lock) {
            checkOpen();
            if (ruleSource == null) {
                ruleSource = new ZooKeeperRuleSource(
                        client,
                        notifier,
                        connection,
                        false,
                        fileCache == null
                                ? null
                                : new FileRuleCache(fileCache.directory().resolve("rules"), clock),
                        this::fallbackDelay);
            }
            return ruleSource;
        }
    }

    /** The file cache directory, or null when the file cache is off. */
    public Path cacheDirectory() {
        return fileCache == null ? null : fileCache.directory();
    }

    /**
     * Unregisters everything registered here (gracefully, when ZooKeeper is reachable), stops every
     * subscription and rule watch, and closes the ZooKeeper session. Idempotent.
     *
     * <p>A provider should {@link #unregister} first, wait for consumers to notice (a propagation
     * delay), drain, and only then close: the "leaving" markers live as long as the session.
     */
    @Override
    public void close() {
        List<Provider> toWithdraw;
        List<ServiceWatch> toClose;
        ZooKeeperRuleSource rules;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            toWithdraw = new ArrayList<>(providers.values());
            providers.clear();
            toClose = new ArrayList<>(watches.values());
            watches.clear();
            rules = ruleSource;
        }
        boolean up = connected();
        toClose.forEach(w -> w.close(up));
        if (rules != null) {
            rules.close();
        }
        for (Provider p : toWithdraw) {
            if (up) {
                withdraw(p);
            } else {
                p.node().abandon(); // the nodes go when the session ends
            }
        }
        notifier.shutdownNow();
        background.shutdownNow();
        client.close();
        log.info("ZooKeeper registry for {} closed", connection.describe());
    }

    /** For tests: ends the session abruptly, like a killed process whose socket closed. */
    void crashForTesting() {
        synchronized (lock) {
            closed = true;
            watches.values().forEach(ServiceWatch::close);
            watches.clear();
            providers.values().forEach(p -> p.node().abandon());
            providers.clear();
        }
        notifier.shutdownNow();
        background.shutdownNow();
        client.close(); // closes the session: ZooKeeper deletes its ephemeral nodes, no markers
    }

    /** For tests: the Curator client. */
    CuratorFramework curator() {
        return client;
    }

    @Override
    public String toString() {
        return "ZooKeeperRegistry{" + connection.describe() + "}";
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("registry closed");
        }
    }

    private void onConnectionState(ConnectionState state) {
        switch (state) {
            case CONNECTED -> {
                everConnected = true;
                log.info("connected to ZooKeeper at {}", connection.describe());
            }
            case RECONNECTED -> {
                everConnected = true;
                log.info(
                        "reconnected to ZooKeeper at {}: watches resume, provider nodes are re-created if"
                                + " the session was lost",
                        connection.describe());
            }
            case SUSPENDED ->
                log.warn(
                        "lost the connection to ZooKeeper at {}: consumers keep their cached instances;"
                                + " reconnecting",
                        connection.describe());
            case LOST ->
                log.warn(
                        "ZooKeeper session lost (expired, or unreachable for the session timeout {}); still"
                                + " reconnecting",
                        connection.sessionTimeout());
            default -> {}
        }
    }

    private void deleteQuietly(String path) {
        try {
            client.delete().quietly().inBackground().forPath(path);
        } catch (Exception e) {
            log.debug("cannot delete {}", path, e);
        }
    }

    /**
     * Builds a {@link ZooKeeperRegistry}. Validates each setting as it is given; not thread-safe.
     *
     * <pre>{@code
     * ZooKeeperRegistry registry = ZooKeeperRegistry.builder("zk1:2181,zk2:2181,zk3:2181")
     *         .namespace("outrigger")                   // default
     *         .credentials("orders", secret)            // nodes written: orders may change, all may read
     *         .cacheDirectory(Path.of("/var/cache/outrigger/registry"))
     *         .startupWait(Duration.ofSeconds(3))       // default
     *         .build();
     * }</pre>
     */
    public static final class Builder {
        /** Default {@link #startupWait}. */
        public static final Duration DEFAULT_STARTUP_WAIT = Duration.ofSeconds(3);
        /** Default {@link #pushProtectionThreshold}. */
        public static final double DEFAULT_PUSH_PROTECTION_THRESHOLD = 0.5;
        /** Default {@link #confirmationDelay}. */
        public static final Duration DEFAULT_CONFIRMATION_DELAY = Duration.ofSeconds(5);
        /** Default {@link #coalescingWindow}. */
        public static final Duration DEFAULT_COALESCING_WINDOW = Duration.ofMillis(100);
        /** Default {@link #fileCacheMaxAge}. */
        public static final Duration DEFAULT_FILE_CACHE_MAX_AGE = Duration.ofDays(7);

        private final ConnectionSettings.Builder connection;
        private Path cacheDirectory;
        private boolean fileCache = true;
        private Duration fileCacheMaxAge = DEFAULT_FILE_CACHE_MAX_AGE;
        private Duration startupWait = DEFAULT_STARTUP_WAIT;
        private boolean pushProtection = true;
        private double threshold = DEFAULT_PUSH_PROTECTION_THRESHOLD;
        private Duration confirmationDelay = DEFAULT_CONFIRMATION_DELAY;
        private Duration coalescingWindow = DEFAULT_COALESCING_WINDOW;
        private Clock clock = Clock.systemUTC();

        private Builder(String connectString) {
            this.connection = new ConnectionSettings.Builder(connectString);
        }

        /**
         * The path prefix all nodes live under: {@code outrigger} by default, i.e. {@code
         * /outrigger/services/...}; empty for none. A chroot in the connect string comes before it.
         */
        public Builder namespace(String namespace) {
            connection.namespace(namespace);
            return this;
        }

        /**
         * The ZooKeeper session timeout asked for; the server bounds it (by default to 2..20 ticks).
         * A killed provider disappears after it. Default 30 s.
         */
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
         * Digest credentials: the session authenticates as {@code user}, and every node it writes gets
         * an ACL giving {@code user} all permissions and, unless {@link #worldReadable(boolean)
         * worldReadable(false)}, everyone else read-only access. Default: none (open ACL).
         */
        public Builder credentials(String user, String password) {
            connection.credentials(user, password);
            return this;
        }

        /**
         * With {@link #credentials}: whether everyone may read the nodes written (so consumers need no
         * credentials). Default true.
         */
        public Builder worldReadable(boolean worldReadable) {
            connection.worldReadable(worldReadable);
            return this;
        }

        /**
         * Where the file cache keeps one snapshot per service. Default {@code
         * ${user.home}/.outrigger/registry-cache/{namespace}@{connectString}} (sanitized), so different
         * ensembles never share snapshots. Several processes may share a directory.
         */
        public Builder cacheDirectory(Path directory) {
            this.cacheDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Whether to keep the file cache at all. Default true. */
        public Builder fileCache(boolean enabled) {
            this.fileCache = enabled;
            return this;
        }

        /**
         * The oldest provider snapshot the file cache serves, by its {@code writtenAt} (or, without
         * one, the file's modification time) against the {@link #clock}. An older snapshot is logged
         * ({@code WARN}, naming the file, its age and this limit) and ignored, as if there were none.
         * Default 7 days.
         */
        public Builder fileCacheMaxAge(Duration maxAge) {
            Objects.requireNonNull(maxAge, "fileCacheMaxAge");
            if (maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("fileCacheMaxAge: " + maxAge + " (expected: > 0)");
            }
            this.fileCacheMaxAge = maxAge;
            return this;
        }

        /**
         * How long a subscription waits for ZooKeeper before starting from the file cache, counted from
         * {@link #build()} while the first connection is pending. Default 3 s. Zero: start from the
         * file at once whenever ZooKeeper is not connected.
         */
        public Builder startupWait(Duration wait) {
            this.startupWait = ConnectionSettings.Builder.nonNegative("startupWait", wait);
            return this;
        }

        /** Whether push protection is on. Default true. */
        public Builder pushProtection(boolean enabled) {
            this.pushProtection = enabled;
            return this;
        }

        /**
         * The share of a service's instances, 0.0..1.0, that one update may remove without
         * confirmation. Default 0.5: losing 2 of 4 goes through, 3 of 4 waits. An update that empties
         * the service always waits. Graceful departures never count.
         */
        public Builder pushProtectionThreshold(double threshold) {
            if (!(threshold >= 0.0 && threshold <= 1.0)) {
                throw new IllegalArgumentException("pushProtectionThreshold: " + threshold + " (expected: 0.0..1.0)");
            }
            this.threshold = threshold;
            return this;
        }

        /**
         * How long a held-back removal waits before ZooKeeper is re-read to confirm it. Default 5 s.
         * While ZooKeeper is unreachable, the removal keeps waiting.
         */
        public Builder confirmationDelay(Duration delay) {
            this.confirmationDelay = ConnectionSettings.Builder.positive("confirmationDelay", delay);
            return this;
        }

        /**
         * Changes arriving within this window after a first change are delivered together, as one
         * list. Default 100 ms; zero delivers each change on its own.
         */
        public Builder coalescingWindow(Duration window) {
            this.coalescingWindow = ConnectionSettings.Builder.nonNegative("coalescingWindow", window);
            return this;
        }

        /**
         * The clock for timestamps written to the file cache and markers, and for the age of the
         * snapshots read. Default UTC system clock.
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        private Path cacheDirectory() {
            if (cacheDirectory != null) {
                return cacheDirectory;
            }
            String key = (connection.namespace().isEmpty() ? "root" : connection.namespace()) + "@"
                    + connection.connectString();
            String safe = key.replaceAll("[^A-Za-z0-9._@-]", "_");
            return Path.of(System.getProperty("user.home"), ".outrigger", "registry-cache", safe);
        }

        /**
         * A started registry. Does not wait for ZooKeeper: providers are announced and subscriptions
         * filled as soon as it answers (or from the file cache after the {@link #startupWait}).
         */
        public ZooKeeperRegistry build() {
            return new ZooKeeperRegistry(this);
        }
    }
}
