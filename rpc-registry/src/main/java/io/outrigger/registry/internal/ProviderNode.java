package io.outrigger.registry.internal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.BackgroundCallback;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one ephemeral provider node in ZooKeeper for as long as it is open: created once the
 * connection is up, re-created after a session expiry (on the new session) and whenever the node is
 * deleted, and deleted on {@link #close} — at once, or as soon as ZooKeeper is reachable again.
 *
 * <p>Why not Curator's {@code PersistentNode}: it does the same, but its close deletes
 * synchronously (blocking while ZooKeeper is down), and a create that fails while the client is
 * down or closed calls back into another create on the same thread, which keeps the caller of
 * {@code register} or {@code close} busy for as long as ZooKeeper is unreachable. Here every
 * ZooKeeper call is asynchronous, and a failed call is simply retried on the next (re)connection.
 *
 * <p>If the node already exists when created (left by an earlier session of the same address that
 * has not expired yet), its data is overwritten and the node is watched: when the old session's node
 * disappears, it is created again on ours.
 *
 * <p>Thread-safe.
 */
public final class ProviderNode {

    private static final Logger log = LoggerFactory.getLogger("io.outrigger.registry.ZooKeeperRegistry");

    private enum State {
        OPEN,
        CLOSING, // closed by the caller; the node still has to be deleted when ZooKeeper is back
        CLOSED
    }

    private final CuratorFramework client;
    private final String path;
    private final AtomicReference<byte[]> data;
    private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);
    private final CountDownLatch created = new CountDownLatch(1);
    private final AtomicBoolean warnedAuth = new AtomicBoolean();
    private volatile String markerPath;
    private volatile byte[] markerData;
    private final CountDownLatch deleted = new CountDownLatch(1);

    private final ConnectionStateListener connectionListener = this::onConnectionState;
    private final CuratorWatcher watcher = event -> {
        if (event.getType() == Watcher.Event.EventType.NodeDeleted) {
            ensure();
        } else if (event.getType() != Watcher.Event.EventType.None) {
            watch(); // one-shot watch: set it again
        }
    };

    /** A node at {@code path} holding {@code data}; call {@link #start} next. */
    public ProviderNode(CuratorFramework client, String path, byte[] data) {
        this.client = client;
        this.path = path;
        this.data = new AtomicReference<>(data.clone());
    }

    /** Starts keeping the node; returns at once (the node is created in the background). */
    public void start() {
        client.getConnectionStateListenable().addListener(connectionListener);
        if (connected()) {
            ensure();
        }
    }

    /** Waits until the node has been created (or taken over) once, at most {@code timeout}. */
    public boolean awaitCreated(Duration timeout) throws InterruptedException {
        return created.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Replaces the node's data (in the background; kept for re-creations). */
    public void update(byte[] newData) {
        data.set(newData.clone());
        if (state.get() == State.OPEN && connected()) {
            inBackground(() -> client.setData()
                    .inBackground((c, e) -> {
                        if (e.getResultCode() == KeeperException.Code.NONODE.intValue()) {
                            ensure();
                        }
                    })
                    .forPath(path, data.get()));
        }
    }

    /**
     * Stops keeping the node and deletes it, after creating the ephemeral {@code marker} (a graceful
     * departure; null for none). When ZooKeeper is reachable, waits at most {@code wait} for the
     * deletion; otherwise returns at once and deletes on the next connection (unless the session
     * ends first, which deletes the node anyway).
     *
     * @return whether the node is known to be deleted
     */
    public boolean close(String marker, byte[] markerBytes, Duration wait) {
        this.markerPath = marker;
        this.markerData = markerBytes;
        if (!state.compareAndSet(State.OPEN, State.CLOSING)) {
            return deleted.getCount() == 0;
        }
        if (!connected()) {
            return false; // onConnectionState deletes it when ZooKeeper is back
        }
        delete();
        try {
            return deleted.await(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops everything without touching ZooKeeper: the session's end removes the node. */
    public void abandon() {
        state.set(State.CLOSED);
        client.getConnectionStateListenable().removeListener(connectionListener);
    }

    private void onConnectionState(CuratorFramework c, ConnectionState newState) {
        if (!newState.isConnected()) {
            return;
        }
        State s = state.get();
        if (s == State.OPEN) {
            ensure(); // after an expiry the node is gone; after a short loss this is a cheap no-op
        } else if (s == State.CLOSING) {
            delete();
        }
    }

    private void ensure() {
        if (state.get() != State.OPEN || !connected()) {
            return;
        }
        inBackground(() -> client.create()
                .creatingParentContainersIfNeeded()
                .withMode(CreateMode.EPHEMERAL)
                .inBackground(onCreate())
                .forPath(path, data.get()));
    }

    private BackgroundCallback onCreate() {
        return (c, event) -> {
            int rc = event.getResultCode();
            if (rc == KeeperException.Code.OK.intValue()) {
                created.countDown();
                if (state.get() != State.OPEN) {
                    delete(); // closed while the create was in flight
                    return;
                }
                watch();
            } else if (rc == KeeperException.Code.NODEEXISTS.intValue()) {
                // Ours already (a create retried across a connection loss) or an older session's:
                // make the data current and watch for its deletion.
                inBackground(() -> client.setData()
                        .inBackground((c2, e2) -> {
                            if (e2.getResultCode() == KeeperException.Code.OK.intValue()) {
                                created.countDown();
                            }
                        })
                        .forPath(path, data.get()));
                watch();
            } else if (rc == KeeperException.Code.NOAUTH.intValue()) {
                if (warnedAuth.compareAndSet(false, true)) {
                    log.warn("not allowed to create {}: its parent's ACL does not allow these credentials", path);
                }
            }
            // Anything else (connection loss, session expired): the next (re)connection retries.
        };
    }

    private void watch() {
        if (state.get() != State.OPEN) {
            return;
        }
        inBackground(() -> client.checkExists()
                .usingWatcher(watcher)
                .inBackground((c, event) -> {
                    if (event.getResultCode() == KeeperException.Code.NONODE.intValue()) {
                        ensure();
                    }
                })
                .forPath(path));
    }

    private void delete() {
        String marker = markerPath;
        if (marker != null) {
            // Same session, so ZooKeeper applies the marker before the deletion: whoever sees the
            // node gone can find the marker.
            inBackground(() -> client.create()
                    .orSetData()
                    .creatingParentContainersIfNeeded()
                    .withMode(CreateMode.EPHEMERAL)
                    .inBackground()
                    .forPath(marker, markerData));
        }
        inBackground(() -> client.delete()
                .inBackground((c, event) -> {
                    int rc = event.getResultCode();
                    if (rc == KeeperException.Code.OK.intValue() || rc == KeeperException.Code.NONODE.intValue()) {
                        if (state.compareAndSet(State.CLOSING, State.CLOSED)) {
                            client.getConnectionStateListenable().removeListener(connectionListener);
                        }
                        deleted.countDown();
                    }
                    // Otherwise still CLOSING: retried on the next (re)connection.
                })
                .forPath(path));
    }

    private boolean connected() {
        return client.getZookeeperClient().isConnected();
    }

    private interface ZkCall {
        void run() throws Exception;
    }

    private void inBackground(ZkCall call) {
        try {
            call.run();
        } catch (Exception e) {
            // Only thrown synchronously when the client is closed or the path is invalid.
            log.debug("ZooKeeper call on {} not sent: {}", path, e.toString());
        }
    }
}
