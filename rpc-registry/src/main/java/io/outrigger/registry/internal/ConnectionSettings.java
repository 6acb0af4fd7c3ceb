package io.outrigger.registry.internal;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.utils.PathUtils;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.client.ConnectStringParser;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/**
 * How to reach ZooKeeper: shared by {@code ZooKeeperRegistry} and {@code ZooKeeperRuleSource}, whose
 * builders validate through {@link Builder}. Immutable.
 *
 * @param connectString the ensemble, {@code host:port[,host:port...][/chroot]}
 * @param namespace the path prefix every node lives under (no leading slash); empty for none
 * @param sessionTimeout the ZooKeeper session timeout asked for
 * @param connectionTimeout how long one connection attempt may take
 * @param user digest user, or null for no credentials
 * @param password digest password, or null
 * @param worldReadable whether nodes written with credentials stay readable by everyone
 */
public record ConnectionSettings(
        String connectString,
        String namespace,
        Duration sessionTimeout,
        Duration connectionTimeout,
        String user,
        String password,
        boolean worldReadable) {

    /** The default namespace. */
    public static final String DEFAULT_NAMESPACE = "outrigger";
    /** The default session timeout. */
    public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofSeconds(30);
    /** The default connection timeout. */
    public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);

    /** A new Curator client for these settings, not yet started. */
    public CuratorFramework newClient() {
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(Math.toIntExact(sessionTimeout.toMillis()))
                .connectionTimeoutMs(Math.toIntExact(connectionTimeout.toMillis()))
                // Bounded: every cached view is rebuilt on reconnection anyway, and blocking calls
                // (rule writes, confirmations) must not hang for long while ZooKeeper is down.
                .retryPolicy(new ExponentialBackoffRetry(200, 3, 1000))
                // The ensemble tracker would rewrite the connect string from the ensemble's own
                // config, which loses a chroot and may name non-loopback addresses.
                .ensembleTracker(false);
        // No b.namespace(...): see ZooKeeperLayout, which prefixes every path instead.
        if (user != null) {
            b.authorization("digest", (user + ":" + password).getBytes(StandardCharsets.UTF_8));
            b.aclProvider(new FixedAclProvider(acls()));
        }
        return b.build();
    }

    /** Where nodes live for this namespace. */
    public ZooKeeperLayout layout() {
        return new ZooKeeperLayout(namespace);
    }

    /** The ACL put on every node written with credentials. */
    public List<ACL> acls() {
        if (user == null) {
            return ZooDefs.Ids.OPEN_ACL_UNSAFE;
        }
        List<ACL> acls = new ArrayList<>();
        try {
            acls.add(new ACL(
                    ZooDefs.Perms.ALL,
                    new Id("digest", DigestAuthenticationProvider.generateDigest(user + ":" + password))));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // SHA-1 is in every JVM
        }
        if (worldReadable) {
            acls.add(new ACL(ZooDefs.Perms.READ, ZooDefs.Ids.ANYONE_ID_UNSAFE));
        }
        // Not List.copyOf: ZooKeeper asks the list whether it contains null, which that list rejects.
        return java.util.Collections.unmodifiableList(acls);
    }

    /** For logs: {@code 127.0.0.1:2181 (namespace /outrigger)}; never the password. */
    public String describe() {
        return connectString + (namespace.isEmpty() ? "" : " (namespace /" + namespace + ")");
    }

    private record FixedAclProvider(List<ACL> acls) implements ACLProvider {
        @Override
        public List<ACL> getDefaultAcl() {
            return acls;
        }

        @Override
        public List<ACL> getAclForPath(String path) {
            return acls;
        }
    }

    /** Collects and validates settings eagerly; messages name the setting and the expected range. */
    public static final class Builder {
        private final String connectString;
        private String namespace = DEFAULT_NAMESPACE;
        private Duration sessionTimeout = DEFAULT_SESSION_TIMEOUT;
        private Duration connectionTimeout = DEFAULT_CONNECTION_TIMEOUT;
        private String user;
        private String password;
        private boolean worldReadable = true;

        /** Starts with {@code connectString}, validated now. */
        public Builder(String connectString) {
            Objects.requireNonNull(connectString, "connectString");
            if (connectString.isBlank() || connectString.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("connectString: \"" + connectString
                        + "\" (expected: host:port[,host:port...][/chroot], no spaces)");
            }
            try {
                ConnectStringParser parser = new ConnectStringParser(connectString);
                if (parser.getServerAddresses().isEmpty()) {
                    throw new IllegalArgumentException("no server");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("connectString: \"" + connectString
                        + "\" (expected: host:port[,host:port...][/chroot]): " + e.getMessage());
            }
            this.connectString = connectString;
        }

        /** See {@code ZooKeeperRegistry.Builder#namespace}. */
        public void namespace(String namespace) {
            Objects.requireNonNull(namespace, "namespace");
            if (!namespace.isEmpty()) {
                try {
                    if (namespace.startsWith("/") || namespace.endsWith("/")) {
                        throw new IllegalArgumentException("leading or trailing '/'");
                    }
                    PathUtils.validatePath("/" + namespace);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("namespace: \"" + namespace
                            + "\" (expected: empty, or a path without leading '/', e.g. outrigger): "
                            + e.getMessage());
                }
            }
            this.namespace = namespace;
        }

        /** See {@code ZooKeeperRegistry.Builder#sessionTimeout}. */
        public void sessionTimeout(Duration timeout) {
            sessionTimeout = positive("sessionTimeout", timeout);
        }

        /** See {@code ZooKeeperRegistry.Builder#connectionTimeout}. */
        public void connectionTimeout(Duration timeout) {
            connectionTimeout = positive("connectionTimeout", timeout);
        }

        /** See {@code ZooKeeperRegistry.Builder#credentials}. */
        public void credentials(String user, String password) {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (user.isEmpty() || user.indexOf(':') >= 0) {
                throw new IllegalArgumentException("user: \"" + user + "\" (expected: non-empty, without ':')");
            }
            this.user = user;
            this.password = password;
        }

        /** See {@code ZooKeeperRegistry.Builder#worldReadable}. */
        public void worldReadable(boolean worldReadable) {
            this.worldReadable = worldReadable;
        }

        /** The validated connect string. */
        public String connectString() {
            return connectString;
        }

        /** The namespace set so far. */
        public String namespace() {
            return namespace;
        }

        /** The settings collected so far. */
        public ConnectionSettings build() {
            return new ConnectionSettings(
                    connectString, namespace, sessionTimeout, connectionTimeout, user, password, worldReadable);
        }

        /** Checks a positive duration that fits in an int of milliseconds. */
        public static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: > 0 and < 24 days)");
            }
            return d;
        }

        /** Checks a duration that is zero or positive. */
        public static Duration nonNegative(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: >= 0 and < 24 days)");
            }
            return d;
        }
    }
}
