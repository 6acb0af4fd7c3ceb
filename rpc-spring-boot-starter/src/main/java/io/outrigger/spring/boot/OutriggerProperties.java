package io.outrigger.spring.boot;

import io.outrigger.governance.LoadBalancing;
import io.outrigger.spring.boot.internal.AccessControlFromProperties;
import io.outrigger.spring.boot.internal.BearerTokenSource;
import io.outrigger.spring.boot.internal.RegistryAddress;
import io.outrigger.spring.boot.internal.TlsConfigFromProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * The {@code outrigger.*} properties. Bound once at startup and checked at once: a value out of range
 * stops the application with a message naming the property and what was expected, e.g. {@code
 * Property outrigger.server.port with value '-1' is invalid: expected 0..65535}.
 *
 * <p>Nothing of Outrigger starts unless {@code outrigger.registry.address} is set (and {@code
 * outrigger.enabled} is not {@code false}). The table of every property, with defaults, is in {@code
 * docs/spring-boot.md}.
 */
@ConfigurationProperties(prefix = OutriggerProperties.PREFIX)
public class OutriggerProperties implements InitializingBean {

    /** The prefix of every property: {@value}. */
    public static final String PREFIX = "outrigger";

    /** Whether Outrigger is switched on; false turns off the whole auto-configuration. */
    private boolean enabled = true;

    /** Where providers are announced and found. */
    private final Registry registry = new Registry();

    /** The server that exports the @RpcService beans. */
    private final Server server = new Server();

    /** The client behind the @RpcReference proxies. */
    private final Client client = new Client();

    /** Tracing and metrics through the application's OpenTelemetry bean. */
    private final Tracing tracing = new Tracing();

    /** The loopback admin HTTP endpoint showing live state as JSON. */
    private final Admin admin = new Admin();

    /** Whether Outrigger is switched on; false turns off the whole auto-configuration. */
    public boolean isEnabled() {
        return enabled;
    }

    /** See {@link #isEnabled()}. */
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    /** Registry settings. */
    public Registry getRegistry() {
        return registry;
    }

    /** Server settings. */
    public Server getServer() {
        return server;
    }

    /** Client settings. */
    public Client getClient() {
        return client;
    }

    /** Tracing settings. */
    public Tracing getTracing() {
        return tracing;
    }

    /** Admin endpoint settings. */
    public Admin getAdmin() {
        return admin;
    }

    /** Checks every value; called by Spring right after binding. */
    @Override
    public void afterPropertiesSet() {
        validate();
    }

    /**
     * Checks every value.
     *
     * @throws InvalidConfigurationPropertyValueException naming the first property out of range
     */
    public void validate() {
        String address = registry.address == null ? null : registry.address.trim();
        if (address == null || address.isEmpty()) {
            throw invalid("registry.address", registry.address, "zookeeper://host:port[,host:port][/chroot] or static");
        }
        try {
            RegistryAddress.parse(address);
        } catch (IllegalArgumentException e) {
            throw invalid(
                    "registry.address",
                    registry.address,
                    "zookeeper://host:port[,host:port][/chroot], static or static://host:port[,host:port] ("
                            + e.getMessage() + ")");
        }
        positive("registry.session-timeout", registry.sessionTimeout);
        nonNegative("registry.startup-wait", registry.startupWait);
        positive("registry.file-cache-max-age", registry.fileCacheMaxAge);
        range("server.port", server.port, 0, 65535);
        range("server.io-threads", server.ioThreads, 1, 256);
        range("server.worker-threads", server.workerThreads, 1, 10_000);
        range("server.queue-capacity", server.queueCapacity, 1, 1_000_000);
        range("server.max-connections", server.maxConnections, 1, 1_000_000);
        range("server.max-connections-per-address", server.maxConnectionsPerAddress, 1, 1_000_000);
        range("server.max-concurrent-calls-per-connection", server.maxConcurrentCallsPerConnection, 1, 1_000_000);
        nonNegative("server.drain-timeout", server.drainTimeout);
        nonNegative("server.propagation-delay", server.propagationDelay);
        range("server.weight", server.weight, 0, 10_000);
        notBlank("server.host", server.host);
        nonNegative("client.default-timeout", client.defaultTimeout);
        positive("client.connect-timeout", client.connectTimeout);
        nonNegative("client.deadline-margin", client.deadlineMargin);
        for (String key : client.propagateKeys) {
            try {
                io.outrigger.core.Metadata.checkKey(key);
            } catch (IllegalArgumentException e) {
                throw invalid("client.propagate-keys", key, "metadata keys: " + e.getMessage());
            }
        }
        range("client.max-attempts", client.maxAttempts, 1, 10);
        range("client.connections-per-endpoint", client.connectionsPerEndpoint, 1, 64);
        range("client.io-threads", client.ioThreads, 1, 256);
        if (client.loadBalancer == null) {
            throw invalid("client.load-balancer", null, "one of " + List.of(LoadBalancing.values()));
        }
        if (client.loadBalancer == LoadBalancing.CONSISTENT_HASH
                && (client.hashHeader == null || client.hashHeader.isBlank())) {
            throw invalid(
                    "client.hash-header",
                    client.hashHeader,
                    "a request metadata key when load-balancer is consistent-hash");
        }
        range("admin.port", admin.port, 0, 65535);
        notBlank("admin.host", admin.host);
        validateSecurity();
    }

    private void validateSecurity() {
        Credentials credentials = registry.credentials;
        if (credentials.username != null || credentials.password != null) {
            if (credentials.username == null
                    || credentials.username.isEmpty()
                    || credentials.username.indexOf(':') >= 0) {
                throw invalid(
                        "registry.credentials.username",
                        credentials.username,
                        "a user name without ':' to go with outrigger.registry.credentials.password");
            }
            if (credentials.password == null || credentials.password.isEmpty()) {
                throw invalid(
                        "registry.credentials.password",
                        null,
                        "the password of outrigger.registry.credentials.username '" + credentials.username + "'");
            }
        }
        // Each builds what it checks and throws naming the property; the results are built again when used.
        TlsConfigFromProperties.server(server.tls);
        AccessControlFromProperties.check(server.accessControl);
        TlsConfigFromProperties.client(client.tls);
        BearerTokenSource.interceptor(client);
    }

    private static InvalidConfigurationPropertyValueException invalid(String name, Object value, String expected) {
        return new InvalidConfigurationPropertyValueException(PREFIX + "." + name, value, "expected " + expected);
    }

    private static void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw invalid(name, value, min + ".." + max);
        }
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw invalid(name, d, "a duration > 0, e.g. 30s");
        }
    }

    private static void nonNegative(String name, Duration d) {
        if (d == null || d.isNegative()) {
            throw invalid(name, d, "a duration >= 0, e.g. 1s");
        }
    }

    private static void notBlank(String name, String value) {
        if (value == null || value.isBlank()) {
            throw invalid(name, value, "an address, e.g. 127.0.0.1");
        }
    }

    /** {@code outrigger.registry.*}: where providers are announced and found. */
    public static class Registry {

        /**
         * The registry: "zookeeper://host:port[,host:port][/chroot]" for ZooKeeper; "static" for none
         * (providers announce nowhere); "static://host:port[,host:port]" to call every referenced
         * service at those addresses.
         */
        private String address;

        /** The ZooKeeper path prefix all nodes live under (empty for none). */
        private String namespace = "outrigger";

        /**
         * Where the file node cache keeps one snapshot per service, so consumers start while ZooKeeper
         * is down. Default: ${user.home}/.outrigger/registry-cache/{namespace}@{connect string}.
         */
        private String cacheDirectory;

        /** Whether to keep the file node cache at all. */
        private boolean fileCache = true;

        /** The oldest file-cache snapshot served at startup; older ones are logged and ignored. */
        private Duration fileCacheMaxAge = Duration.ofDays(7);

        /** The ZooKeeper session timeout asked for; a killed provider disappears after it. */
        private Duration sessionTimeout = Duration.ofSeconds(30);

        /** How long a new subscription waits for ZooKeeper before starting from the file cache. */
        private Duration startupWait = Duration.ofSeconds(3);

        /** Whether live governance rules are read from the registry (ZooKeeper only). */
        private boolean rules = true;

        /**
         * ZooKeeper digest credentials: the session authenticates with them, and every node this
         * application writes gets an ACL giving this user all rights.
         */
        private final Credentials credentials = new Credentials();

        /**
         * With credentials: whether everyone else may read the nodes written (consumers then need no
         * credentials); false: only this user.
         */
        private boolean worldReadable = true;

        /** The registry address; see the property's description. */
        public String getAddress() {
            return address;
        }

        /** See {@link #getAddress()}. */
        public void setAddress(String address) {
            this.address = address;
        }

        /** The ZooKeeper path prefix. */
        public String getNamespace() {
            return namespace;
        }

        /** See {@link #getNamespace()}. */
        public void setNamespace(String namespace) {
            this.namespace = namespace;
        }

        /** The file cache directory, or null for the default. */
        public String getCacheDirectory() {
            return cacheDirectory;
        }

        /** See {@link #getCacheDirectory()}. */
        public void setCacheDirectory(String cacheDirectory) {
            this.cacheDirectory = cacheDirectory;
        }

        /** Whether the file node cache is kept. */
        public boolean isFileCache() {
            return fileCache;
        }

        /** See {@link #isFileCache()}. */
        public void setFileCache(boolean fileCache) {
            this.fileCache = fileCache;
        }

        /** The oldest file-cache snapshot served. */
        public Duration getFileCacheMaxAge() {
            return fileCacheMaxAge;
        }

        /** See {@link #getFileCacheMaxAge()}. */
        public void setFileCacheMaxAge(Duration fileCacheMaxAge) {
            this.fileCacheMaxAge = fileCacheMaxAge;
        }

        /** The ZooKeeper session timeout. */
        public Duration getSessionTimeout() {
            return sessionTimeout;
        }

        /** See {@link #getSessionTimeout()}. */
        public void setSessionTimeout(Duration sessionTimeout) {
            this.sessionTimeout = sessionTimeout;
        }

        /** How long a subscription waits for ZooKeeper before using the file cache. */
        public Duration getStartupWait() {
            return startupWait;
        }

        /** See {@link #getStartupWait()}. */
        public void setStartupWait(Duration startupWait) {
            this.startupWait = startupWait;
        }

        /** Whether live rules are read from ZooKeeper. */
        public boolean isRules() {
            return rules;
        }

        /** See {@link #isRules()}. */
        public void setRules(boolean rules) {
            this.rules = rules;
        }

        /** The ZooKeeper digest credentials. */
        public Credentials getCredentials() {
            return credentials;
        }

        /** Whether others may read the nodes written with credentials. */
        public boolean isWorldReadable() {
            return worldReadable;
        }

        /** See {@link #isWorldReadable()}. */
        public void setWorldReadable(boolean worldReadable) {
            this.worldReadable = worldReadable;
        }
    }

    /**
     * {@code outrigger.registry.credentials.*}: ZooKeeper digest credentials (ignored with a static
     * registry). See docs/registry.md for the ACLs they put on nodes.
     */
    public static class Credentials {

        /** The digest user name (no ':'). */
        private String username;

        /** The digest password; take it from the environment or a secret store. */
        private String password;

        /** The user name, or null for none. */
        public String getUsername() {
            return username;
        }

        /** See {@link #getUsername()}. */
        public void setUsername(String username) {
            this.username = username;
        }

        /** The password, or null. */
        public String getPassword() {
            return password;
        }

        /** See {@link #getPassword()}. */
        public void setPassword(String password) {
            this.password = password;
        }

        /** Whether credentials are set. */
        public boolean isConfigured() {
            return username != null;
        }
    }

    /** {@code outrigger.server.*}: the server exporting the {@code @RpcService} beans. */
    public static class Server {

        /** The address to listen on. */
        private String host = "0.0.0.0";

        /** The port to listen on; 0 picks a free one (the registry announces the real one). */
        private int port = 0;

        /**
         * The address announced to callers. Default: the bound host, or this machine's address when
         * bound to all interfaces.
         */
        private String announceHost;

        /** I/O (event loop) threads. Default: min(4, available processors). */
        private int ioThreads = Math.min(4, Runtime.getRuntime().availableProcessors());

        /** Threads running blocking service methods. */
        private int workerThreads = 200;

        /** Calls that may wait for a worker thread before new ones are refused (RESOURCE_EXHAUSTED). */
        private int queueCapacity = 1000;

        /** Connections held at once; past it new ones are refused with a reason. */
        private int maxConnections = 10_000;

        /** Connections held at once from one source address; past it new ones from it are refused. */
        private int maxConnectionsPerAddress = 1_000;

        /** Calls of one connection unanswered past which the server stops reading that connection. */
        private int maxConcurrentCallsPerConnection = 1_024;

        /** How long shutdown waits for calls in flight after telling clients to send no more. */
        private Duration drainTimeout = Duration.ofSeconds(10);

        /** How long shutdown waits after unregistering, so consumers stop picking this server first. */
        private Duration propagationDelay = Duration.ofSeconds(1);

        /** The version announced for every exported service (an @RpcService may set its own). */
        private String version = "";

        /** The group announced for every exported service (an @RpcService may set its own). */
        private String group = "";

        /** The tags announced for every exported service (added to those of each @RpcService). */
        private List<String> tags = new ArrayList<>();

        /** The zone (e.g. availability zone) announced for every exported service. */
        private String zone = "";

        /** The weight (relative share of traffic, 0..10000) announced unless an @RpcService sets one. */
        private int weight = 100;

        /** TLS on the server's port: on when certificate and private-key are set. */
        @NestedConfigurationProperty
        private final ServerTlsProperties tls = new ServerTlsProperties();

        /** Who may call what: on when rules or anonymous entries are set. */
        @NestedConfigurationProperty
        private final AccessControlProperties accessControl = new AccessControlProperties();

        /** The address to listen on. */
        public String getHost() {
            return host;
        }

        /** See {@link #getHost()}. */
        public void setHost(String host) {
            this.host = host;
        }

        /** The port; 0 for any free one. */
        public int getPort() {
            return port;
        }

        /** See {@link #getPort()}. */
        public void setPort(int port) {
            this.port = port;
        }

        /** The announced address, or null for the default. */
        public String getAnnounceHost() {
            return announceHost;
        }

        /** See {@link #getAnnounceHost()}. */
        public void setAnnounceHost(String announceHost) {
            this.announceHost = announceHost;
        }

        /** I/O threads. */
        public int getIoThreads() {
            return ioThreads;
        }

        /** See {@link #getIoThreads()}. */
        public void setIoThreads(int ioThreads) {
            this.ioThreads = ioThreads;
        }

        /** Worker threads. */
        public int getWorkerThreads() {
            return workerThreads;
        }

        /** See {@link #getWorkerThreads()}. */
        public void setWorkerThreads(int workerThreads) {
            this.workerThreads = workerThreads;
        }

        /** Queue slots of the worker pool. */
        public int getQueueCapacity() {
            return queueCapacity;
        }

        /** See {@link #getQueueCapacity()}. */
        public void setQueueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
        }

        /** Connections held at once. */
        public int getMaxConnections() {
            return maxConnections;
        }

        /** See {@link #getMaxConnections()}. */
        public void setMaxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
        }

        /** Connections held at once from one source address. */
        public int getMaxConnectionsPerAddress() {
            return maxConnectionsPerAddress;
        }

        /** See {@link #getMaxConnectionsPerAddress()}. */
        public void setMaxConnectionsPerAddress(int maxConnectionsPerAddress) {
            this.maxConnectionsPerAddress = maxConnectionsPerAddress;
        }

        /** Calls of one connection unanswered past which it is not read. */
        public int getMaxConcurrentCallsPerConnection() {
            return maxConcurrentCallsPerConnection;
        }

        /** See {@link #getMaxConcurrentCallsPerConnection()}. */
        public void setMaxConcurrentCallsPerConnection(int maxConcurrentCallsPerConnection) {
            this.maxConcurrentCallsPerConnection = maxConcurrentCallsPerConnection;
        }

        /** How long shutdown waits for calls in flight. */
        public Duration getDrainTimeout() {
            return drainTimeout;
        }

        /** See {@link #getDrainTimeout()}. */
        public void setDrainTimeout(Duration drainTimeout) {
            this.drainTimeout = drainTimeout;
        }

        /** How long shutdown waits after unregistering. */
        public Duration getPropagationDelay() {
            return propagationDelay;
        }

        /** See {@link #getPropagationDelay()}. */
        public void setPropagationDelay(Duration propagationDelay) {
            this.propagationDelay = propagationDelay;
        }

        /** The default announced version. */
        public String getVersion() {
            return version;
        }

        /** See {@link #getVersion()}. */
        public void setVersion(String version) {
            this.version = version;
        }

        /** The default announced group. */
        public String getGroup() {
            return group;
        }

        /** See {@link #getGroup()}. */
        public void setGroup(String group) {
            this.group = group;
        }

        /** Tags announced for every service. */
        public List<String> getTags() {
            return tags;
        }

        /** See {@link #getTags()}. */
        public void setTags(List<String> tags) {
            this.tags = tags;
        }

        /** The announced zone. */
        public String getZone() {
            return zone;
        }

        /** See {@link #getZone()}. */
        public void setZone(String zone) {
            this.zone = zone;
        }

        /** The default announced weight. */
        public int getWeight() {
            return weight;
        }

        /** See {@link #getWeight()}. */
        public void setWeight(int weight) {
            this.weight = weight;
        }

        /** The server's TLS settings. */
        public ServerTlsProperties getTls() {
            return tls;
        }

        /** The server's access control. */
        public AccessControlProperties getAccessControl() {
            return accessControl;
        }
    }

    /** {@code outrigger.client.*}: the client behind the {@code @RpcReference} proxies. */
    public static class Client {

        /** Timeout of each call unless its @RpcReference sets one; 0 means none. */
        private Duration defaultTimeout = Duration.ofSeconds(5);

        /** How long a connect may take. */
        private Duration connectTimeout = Duration.ofSeconds(3);

        /**
         * Whether calls made while serving a call (an @RpcReference used inside an @RpcService)
         * inherit its deadline, the propagate-keys and its cancellation. See docs/core.md, "Call context".
         */
        private boolean propagateContext = true;

        /** Taken off the served call's remaining time before it caps a downstream call's timeout. */
        private Duration deadlineMargin = Duration.ZERO;

        /**
         * Metadata keys copied from the call being served to the calls made for it, e.g. outrigger-tag
         * for a canary that holds end to end. None by default.
         */
        private List<String> propagateKeys = new java.util.ArrayList<>();

        /**
         * Attempts per call including the first, 1..10 (1: never retry). Retries go to another provider
         * and happen only when safe: see docs/governance.md.
         */
        private int maxAttempts = 3;

        /** The load-balancing algorithm. */
        private LoadBalancing loadBalancer = LoadBalancing.PEAK_EWMA;

        /** The request metadata key hashed when load-balancer is consistent-hash. */
        private String hashHeader;

        /** Connections to each provider address, each multiplexing many calls. */
        private int connectionsPerEndpoint = 1;

        /** I/O (event loop) threads of each client. Default: min(4, available processors). */
        private int ioThreads = Math.min(4, Runtime.getRuntime().availableProcessors());

        /** How long a newly seen provider takes to reach its full weight (0: no warm-up). */
        private Duration warmUp = Duration.ofSeconds(30);

        /** TLS to the providers: on when enabled, or when trust-certificates, certificate or private-key is set. */
        @NestedConfigurationProperty
        private final ClientTlsProperties tls = new ClientTlsProperties();

        /**
         * A bearer token sent with every call ("authorization: Bearer ..."), for providers with access
         * control. Send tokens only over TLS.
         */
        private String bearerToken;

        /**
         * A file holding the bearer token (surrounding whitespace removed), read when a client is
         * built; instead of bearer-token.
         */
        private String bearerTokenFile;

        /** The default call timeout. */
        public Duration getDefaultTimeout() {
            return defaultTimeout;
        }

        /** See {@link #getDefaultTimeout()}. */
        public void setDefaultTimeout(Duration defaultTimeout) {
            this.defaultTimeout = defaultTimeout;
        }

        /** The connect timeout. */
        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        /** See {@link #getConnectTimeout()}. */
        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        /** Whether downstream calls inherit the served call's context. */
        public boolean isPropagateContext() {
            return propagateContext;
        }

        /** See {@link #isPropagateContext()}. */
        public void setPropagateContext(boolean propagateContext) {
            this.propagateContext = propagateContext;
        }

        /** The deadline margin of downstream calls. */
        public Duration getDeadlineMargin() {
            return deadlineMargin;
        }

        /** See {@link #getDeadlineMargin()}. */
        public void setDeadlineMargin(Duration deadlineMargin) {
            this.deadlineMargin = deadlineMargin;
        }

        /** The metadata keys that propagate to downstream calls. */
        public List<String> getPropagateKeys() {
            return propagateKeys;
        }

        /** See {@link #getPropagateKeys()}. */
        public void setPropagateKeys(List<String> propagateKeys) {
            this.propagateKeys = propagateKeys;
        }

        /** Attempts per call. */
        public int getMaxAttempts() {
            return maxAttempts;
        }

        /** See {@link #getMaxAttempts()}. */
        public void setMaxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        /** The load-balancing algorithm. */
        public LoadBalancing getLoadBalancer() {
            return loadBalancer;
        }

        /** See {@link #getLoadBalancer()}. */
        public void setLoadBalancer(LoadBalancing loadBalancer) {
            this.loadBalancer = loadBalancer;
        }

        /** The consistent-hash header. */
        public String getHashHeader() {
            return hashHeader;
        }

        /** See {@link #getHashHeader()}. */
        public void setHashHeader(String hashHeader) {
            this.hashHeader = hashHeader;
        }

        /** Connections per provider address. */
        public int getConnectionsPerEndpoint() {
            return connectionsPerEndpoint;
        }

        /** See {@link #getConnectionsPerEndpoint()}. */
        public void setConnectionsPerEndpoint(int connectionsPerEndpoint) {
            this.connectionsPerEndpoint = connectionsPerEndpoint;
        }

        /** I/O threads. */
        public int getIoThreads() {
            return ioThreads;
        }

        /** See {@link #getIoThreads()}. */
        public void setIoThreads(int ioThreads) {
            this.ioThreads = ioThreads;
        }

        /** The warm-up of newly seen providers. */
        public Duration getWarmUp() {
            return warmUp;
        }

        /** See {@link #getWarmUp()}. */
        public void setWarmUp(Duration warmUp) {
            this.warmUp = warmUp;
        }

        /** The clients' TLS settings. */
        public ClientTlsProperties getTls() {
            return tls;
        }

        /** The bearer token sent, or null. */
        public String getBearerToken() {
            return bearerToken;
        }

        /** See {@link #getBearerToken()}. */
        public void setBearerToken(String bearerToken) {
            this.bearerToken = bearerToken;
        }

        /** The file holding the bearer token, or null. */
        public String getBearerTokenFile() {
            return bearerTokenFile;
        }

        /** See {@link #getBearerTokenFile()}. */
        public void setBearerTokenFile(String bearerTokenFile) {
            this.bearerTokenFile = bearerTokenFile;
        }
    }

    /** {@code outrigger.tracing.*}. */
    public static class Tracing {

        /**
         * Whether calls are traced and measured through the application's OpenTelemetry bean (nothing
         * happens without one).
         */
        private boolean enabled = true;

        /** Whether tracing is on. */
        public boolean isEnabled() {
            return enabled;
        }

        /** See {@link #isEnabled()}. */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** {@code outrigger.admin.*}: the admin HTTP endpoint ({@code /admin}, {@code /health}). */
    public static class Admin {

        /** Whether the admin endpoint is started. */
        private boolean enabled = false;

        /** The address the admin endpoint binds; keep it on loopback unless behind a firewall. */
        private String host = "127.0.0.1";

        /** The admin endpoint's port; 0 picks a free one (logged at startup). */
        private int port = 0;

        /** Whether the admin endpoint is on. */
        public boolean isEnabled() {
            return enabled;
        }

        /** See {@link #isEnabled()}. */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** The bound address. */
        public String getHost() {
            return host;
        }

        /** See {@link #getHost()}. */
        public void setHost(String host) {
            this.host = host;
        }

        /** The port. */
        public int getPort() {
            return port;
        }

        /** See {@link #getPort()}. */
        public void setPort(int port) {
            this.port = port;
        }
    }
}
