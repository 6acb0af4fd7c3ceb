package io.outrigger.registry.internal;

import io.outrigger.core.registry.InstanceListener;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.registry.InstanceOrigin;
import io.outrigger.registry.OriginAwareInstanceListener;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscribed service: a Curator cache of {@code /services/{service}} kept current by a
 * persistent recursive watch, the memory cache (the list consumers have), the file cache writes, push
 * protection and the listeners.
 *
 * <p>Threads: Curator's event thread only schedules work. Everything else — reading the cache,
 * deciding, delivering, writing the file — runs on the registry's single notification thread, so
 * the state below needs no locks and each listener gets one call at a time, in order. Confirming
 * re-reads, which block on ZooKeeper, run on the background executor and hand their result back.
 */
public final class ServiceWatch {

    // One logger name for the whole registry, so operators configure one line.
    private static final Logger log = LoggerFactory.getLogger("io.outrigger.registry.ZooKeeperRegistry");

    /**
     * Timings and collaborators of a watch; shared by every watch of a registry.
     *
     * @param layout where the service's nodes live
     * @param coalescingWindow how long changes are gathered before one delivery
     * @param confirmationDelay how long a held-back removal waits for its confirming re-read
     * @param protection the push protection policy
     * @param fileCache the file cache, or null when off
     * @param describe the ensemble, for logs
     */
    public record Options(
            ZooKeeperLayout layout,
            Duration coalescingWindow,
            Duration confirmationDelay,
            PushProtection protection,
            FileNodeCache fileCache,
            String describe) {}

    private final String service;
    private final String providersPath;
    private final String leavingPath;
    private final CuratorFramework client;
    private final CuratorCache cache;
    private final ScheduledExecutorService notifier;
    private final Executor background;
    private final BooleanSupplier connected;
    private final Options options;
    private final List<Entry> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstList = new CountDownLatch(1);

    // Notification-thread state.
    private volatile List<ServiceInstance> delivered; // null until the first list
    private volatile InstanceOrigin origin;
    /** Ids with a leaving marker, as last read: departures that were graceful. */
    private Set<String> graceful = Set.of();

    private boolean initialized;
    private boolean holding;
    private ScheduledFuture<?> flushTask;
    private ScheduledFuture<?> fallbackTask;
    private ScheduledFuture<?> confirmTask;
    private List<ServiceInstance> lastWritten;
    private final Set<String> reportedBadNodes = new HashSet<>();
    private volatile boolean closed;

    /** A watch of {@code service}; call {@link #start} next. */
    public ServiceWatch(
            String service,
            CuratorFramework client,
            ScheduledExecutorService notifier,
            Executor background,
            BooleanSupplier connected,
            Options options) {
        this.service = service;
        this.providersPath = options.layout().providers(service);
        this.leavingPath = options.layout().leaving(service);
        this.client = client;
        this.notifier = notifier;
        this.background = background;
        this.connected = connected;
        this.options = options;
        this.cache = CuratorCache.builder(client, options.layout().service(service))
                .withExceptionHandler(this::onCacheError)
                .build();
    }

    /**
     * Starts watching. If ZooKeeper has not delivered the service's list within {@code fallbackAfter},
     * consumers get the file cache's list instead (and ZooKeeper's once it answers).
     */
    public void start(Duration fallbackAfter) {
        cache.listenable()
                .addListener(CuratorCacheListener.builder()
                        .forInitialized(() -> run(this::onInitialized))
                        .forAll((type, oldData, data) -> run(this::onChange))
                        .build());
        cache.start();
        run(() -> fallbackTask =
                notifier.schedule(this::fallBackToFile, fallbackAfter.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Adds {@code listener}; it receives the current list, if any, at once (on the notification thread). */
    public Entry addListener(InstanceListener listener) {
        Entry entry = new Entry(listener);
        listeners.add(entry);
        run(() -> {
            List<ServiceInstance> now = delivered;
            if (now != null) {
                entry.deliver(service, now, origin, graceful);
            }
        });
        return entry;
    }

    /** Removes {@code entry}; returns whether no listener is left. */
    public boolean removeListener(Entry entry) {
        entry.active = false;
        listeners.remove(entry);
        return listeners.isEmpty();
    }

    /** The memory cache: the list consumers have now; empty before the first list. */
    public List<ServiceInstance> instances() {
        List<ServiceInstance> now = delivered;
        return now == null ? List.of() : now;
    }

    /** Where {@link #instances()} comes from; null before the first list. */
    public InstanceOrigin origin() {
        return origin;
    }

    /** Waits until the first list has been delivered, at most {@code timeout}. */
    public boolean awaitFirstList(Duration timeout) throws InterruptedException {
        return firstList.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops watching; listeners get nothing more. Idempotent. */
    public void close() {
        close(true);
    }

    /**
     * Stops watching. {@code releaseWatch} false leaves ZooKeeper's watch alone: for when the client
     * is about to close anyway, which releases it without a round trip that may have to wait.
     */
    public void close(boolean releaseWatch) {
        closed = true;
        listeners.forEach(e -> e.active = false);
        listeners.clear();
        if (!releaseWatch) {
            // nothing: the client's close ends the watch
        } else if (connected.getAsBoolean()) {
            cache.close();
        } else {
            // Curator's close talks to ZooKeeper (removing the watch) and would block until it answers.
            execute(background, cache::close);
        }
        run(() -> {
            cancel(flushTask);
            cancel(fallbackTask);
            cancel(confirmTask);
        });
    }

    // ---- notification thread ----

    private void onInitialized() {
        if (closed || initialized) {
            return;
        }
        initialized = true;
        cancel(fallbackTask);
        if (origin == InstanceOrigin.FILE_CACHE) {
            log.info("ZooKeeper at {} answers again: reconciling {} with it", options.describe(), service);
        }
        flush();
    }

    private void onChange() {
        if (closed || !initialized) {
            return; // the initial load is read in one go by onInitialized
        }
        if (flushTask == null) {
            long window = options.coalescingWindow().toMillis();
            // Coalescing: the first change of a burst opens the window; the flush at its end reads
            // the cache once, so N providers restarting together cost consumers a few deliveries.
            flushTask = window == 0
                    ? notifier.schedule(this::flush, 0, TimeUnit.MILLISECONDS)
                    : notifier.schedule(this::flush, window, TimeUnit.MILLISECONDS);
        }
    }

    private void fallBackToFile() {
        fallbackTask = null;
        if (closed || initialized || delivered != null) {
            return;
        }
        List<ServiceInstance> fromFile = readFile(true);
        if (fromFile != null) {
            log.warn(
                    "ZooKeeper at {} not reachable: serving {} from the file cache {} ({} instances: {});"
                            + " reconnecting in the background",
                    options.describe(),
                    service,
                    options.fileCache().fileFor(service),
                    fromFile.size(),
                    ids(fromFile));
        } else {
            log.warn(
                    "ZooKeeper at {} not reachable and no usable file cache for {}: no instances until"
                            + " ZooKeeper answers; reconnecting in the background",
                    options.describe(),
                    service);
            fromFile = List.of();
        }
        deliver(fromFile, InstanceOrigin.FILE_CACHE);
    }

    private void flush() {
        flushTask = null;
        if (closed) {
            return;
        }
        List<ServiceInstance> candidate = readCache();
        Set<String> graceful = cache.stream()
                .map(ChildData::getPath)
                .filter(p -> ZooKeeperLayout.parent(p).equals(leavingPath))
                .map(ZooKeeperLayout::name)
                .collect(Collectors.toUnmodifiableSet());
        this.graceful = graceful;

        if (delivered == null) {
            if (candidate.isEmpty()) {
                // ZooKeeper lists nobody, but a file says there were providers: as for any empty
                // push, keep them until a re-read confirms (e.g. providers whose sessions expired in
                // an outage are re-registering right now).
                List<ServiceInstance> fromFile = readFile(false);
                if (fromFile != null && !fromFile.isEmpty()) {
                    log.warn(
                            "ZooKeeper lists no provider of {}; starting from the {} in the file cache {}",
                            service,
                            fromFile.size(),
                            options.fileCache().fileFor(service));
                    deliver(fromFile, InstanceOrigin.FILE_CACHE);
                }
            }
            if (delivered == null) {
                deliver(candidate, InstanceOrigin.REGISTRY);
                return;
            }
        }

        PushProtection.Decision decision = options.protection().evaluate(delivered, candidate, graceful, holding);
        if (!decision.holds()) {
            if (holding) {
                log.info("{}: the held-back removal is undone or explained; no confirmation needed", service);
                holding = false;
                cancel(confirmTask);
                confirmTask = null;
            }
            deliver(decision.deliver(), InstanceOrigin.REGISTRY);
            return;
        }
        if (!holding) {
            holding = true;
            log.warn(
                    "push protection: ZooKeeper's update of {} would remove {} of {} instances at once ({});"
                            + " keeping them until a re-read in {} confirms",
                    service,
                    decision.heldBack().size(),
                    delivered.size(),
                    ids(decision.heldBack()),
                    options.confirmationDelay());
            scheduleConfirm();
        }
        deliver(decision.deliver(), InstanceOrigin.PROTECTED);
    }

    private void scheduleConfirm() {
        confirmTask = notifier.schedule(
                () -> execute(background, this::confirm),
                options.confirmationDelay().toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Background thread: re-reads the providers from ZooKeeper itself, not from the cache. */
    private void confirm() {
        if (closed) {
            return;
        }
        List<ServiceInstance> truth = null;
        String failure = "ZooKeeper not connected";
        if (connected.getAsBoolean()) {
            try {
                truth = readDirectly();
            } catch (Exception e) {
                failure = e.toString();
            }
        }
        List<ServiceInstance> result = truth;
        String why = failure;
        run(() -> {
            if (closed || !holding) {
                return;
            }
            if (result == null) {
                log.info(
                        "push protection: cannot re-read {} yet ({}); still holding, retrying in {}",
                        service,
                        why,
                        options.confirmationDelay());
                scheduleConfirm();
                return;
            }
            holding = false;
            confirmTask = null;
            Set<String> now = result.stream().map(ServiceInstance::id).collect(Collectors.toSet());
            List<ServiceInstance> gone =
                    delivered.stream().filter(i -> !now.contains(i.id())).toList();
            log.warn(
                    "push protection: a re-read confirms that {} lost {} instances ({}); {} remain",
                    service,
                    gone.size(),
                    ids(gone),
                    result.size());
            deliver(result, InstanceOrigin.REGISTRY);
        });
    }

    private List<ServiceInstance> readCache() {
        Map<String, ServiceInstance> found = new LinkedHashMap<>();
        cache.stream()
                .filter(cd -> ZooKeeperLayout.parent(cd.getPath()).equals(providersPath))
                .forEach(cd -> decode(
                                cd.getPath(),
                                cd.getData(),
                                cd.getStat() == null ? 0 : cd.getStat().getMzxid())
                        .ifPresent(i -> found.put(i.id(), i)));
        return PushProtection.sorted(found.values());
    }

    private List<ServiceInstance> readDirectly() throws Exception {
        List<String> children;
        try {
            children = client.getChildren().forPath(providersPath);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        }
        List<ServiceInstance> found = new ArrayList<>();
        for (String child : children) {
            String path = providersPath + "/" + child;
            try {
                Stat stat = new Stat();
                byte[] data = client.getData().storingStatIn(stat).forPath(path);
                decode(path, data, stat.getMzxid()).ifPresent(found::add);
            } catch (KeeperException.NoNodeException e) {
                // gone between the two reads
            }
        }
        return PushProtection.sorted(found);
    }

    private Optional<ServiceInstance> decode(String path, byte[] data, long version) {
        String reason;
        try {
            ServiceInstance instance = InstanceJson.fromBytes(data, service);
            String name = ZooKeeperLayout.name(path);
            if (name.equals(instance.id())) {
                return Optional.of(instance);
            }
            reason = "node name is not the instance's host:port " + instance.id();
        } catch (IllegalArgumentException e) {
            reason = e.getMessage();
        }
        if (reportedBadNodes.add(path + "@" + version)) {
            log.warn(
                    "ignoring provider node {} of {}: {} (data: {})",
                    path,
                    service,
                    reason,
                    InstanceJson.preview(data));
        }
        return Optional.empty();
    }

    /** Reads the file cache; null when there is no usable file (a corrupt one is reported). */
    private List<ServiceInstance> readFile(boolean reportMissing) {
        FileNodeCache files = options.fileCache();
        if (files == null) {
            return null;
        }
        FileNodeCache.ReadResult result = files.read(service);
        if (result instanceof FileNodeCache.Loaded loaded) {
            return PushProtection.sorted(loaded.instances());
        }
        if (result instanceof FileNodeCache.Expired expired) {
            // Providers listed days ago are likely gone or moved: starting from them would send the
            // first calls to strangers, or to nobody, while looking healthy.
            log.warn(
                    "ignoring registry cache file {}: written at {}, {} ago, older than the limit of {}"
                            + " (fileCacheMaxAge)",
                    expired.file(),
                    expired.writtenAt(),
                    expired.age().withNanos(0),
                    expired.maxAge());
        } else if (result instanceof FileNodeCache.Corrupt corrupt) {
            log.warn("ignoring corrupt registry cache file {}: {}", corrupt.file(), corrupt.reason());
        } else if (reportMissing) {
            log.debug("no registry cache file {}", result.file());
        }
        return null;
    }

    private void deliver(List<ServiceInstance> list, InstanceOrigin newOrigin) {
        List<ServiceInstance> now = List.copyOf(list);
        delivered = now;
        origin = newOrigin;
        for (Entry e : listeners) {
            e.deliver(service, now, newOrigin, graceful);
        }
        firstList.countDown();
        FileNodeCache files = options.fileCache();
        if (files != null && newOrigin != InstanceOrigin.FILE_CACHE && !now.equals(lastWritten)) {
            try {
                files.write(service, now);
                lastWritten = now;
            } catch (IOException | RuntimeException e) {
                log.warn("cannot write registry cache file {}: {}", files.fileFor(service), e.toString());
            }
        }
    }

    private void onCacheError(Exception e) {
        if (e instanceof KeeperException.ConnectionLossException
                || e instanceof KeeperException.SessionExpiredException) {
            log.debug("watch of {} interrupted: {}", service, e.toString());
        } else {
            log.warn("watch of {} failed: {}", service, e.toString());
        }
    }

    private void run(Runnable task) {
        execute(notifier, task);
    }

    private static void execute(Executor executor, Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    private static String ids(List<ServiceInstance> instances) {
        return instances.stream().map(ServiceInstance::id).collect(Collectors.joining(", ", "[", "]"));
    }

    /** One subscribed listener. Delivers only what it has not seen yet. */
    public static final class Entry {
        private final InstanceListener listener;
        private final CountDownLatch first = new CountDownLatch(1);
        private List<ServiceInstance> last;
        private InstanceOrigin lastOrigin;
        volatile boolean active = true;

        Entry(InstanceListener listener) {
            this.listener = listener;
        }

        /** Waits until this listener got its first list, at most {@code timeout}. */
        public boolean awaitFirst(Duration timeout) throws InterruptedException {
            return first.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        void deliver(String service, List<ServiceInstance> list, InstanceOrigin origin, Set<String> withdrawn) {
            if (!active) {
                return;
            }
            boolean originAware = listener instanceof OriginAwareInstanceListener;
            if (list.equals(last) && (!originAware || origin == lastOrigin)) {
                return;
            }
            last = list;
            lastOrigin = origin;
            try {
                if (originAware) {
                    ((OriginAwareInstanceListener) listener).onInstances(service, list, origin);
                } else {
                    listener.onInstances(service, list, withdrawn);
                }
            } catch (RuntimeException e) {
                log.warn("instance listener of {} failed; it keeps receiving updates", service, e);
            } finally {
                first.countDown();
            }
        }
    }
}
