package io.outrigger.sidecar;

import io.outrigger.core.auth.BearerToken;
import io.outrigger.governance.LoadBalancing;
import io.outrigger.sidecar.internal.CommandLine;
import io.outrigger.sidecar.internal.HostPort;
import io.outrigger.sidecar.internal.RpcTokenFile;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The settings of a {@link Sidecar}: where it listens, how it finds providers, what it exports.
 *
 * <p>Built from command-line flags and an optional Java properties file ({@link #parse}), or in code
 * with {@link #builder()}. Immutable and thread-safe; validated when built, with messages that say
 * what was expected ({@code --http: "localhost" (expected: HOST:PORT)}).
 *
 * <pre>{@code
 * SidecarConfig config = SidecarConfig.parse("--registry", "zookeeper://127.0.0.1:2181", "--http", "127.0.0.1:15001");
 * }</pre>
 */
public final class SidecarConfig {

    /** The default HTTP endpoint for callers: loopback only. */
    public static final String DEFAULT_HTTP = "127.0.0.1:15001";

    /** The default native-protocol listener for inbound calls. */
    public static final String DEFAULT_RPC = "0.0.0.0:15002";

    private final String registry;
    private final String httpHost;
    private final int httpPort;
    private final String rpcHost;
    private final int rpcPort;
    private final String announceHost;
    private final Map<String, URI> exports;
    private final Map<String, List<String>> staticProviders;
    private final Path cacheDir;
    private final List<Path> descriptors;
    private final Duration healthInterval;
    private final int healthFailures;
    private final int maxBodyBytes;
    private final Duration headerTimeout;
    private final int minBodyRate;
    private final Duration bodyRateGrace;
    private final int maxConnections;
    private final int maxConnectionsPerAddress;
    private final Duration defaultTimeout;
    private final Duration propagationDelay;
    private final LoadBalancing loadBalancing;
    private final Path tlsCa;
    private final Path tlsCert;
    private final Path tlsKey;
    private final Path bearerTokenFile;
    private final Path rpcTlsCert;
    private final Path rpcTlsKey;
    private final Path rpcTlsClientCa;
    private final Map<String, List<String>> rpcAllow;
    private final Path rpcTokenFile;
    private final Map<String, Integer> rpcRateLimits;
    private final Map<String, Integer> rpcConcurrencyLimits;
    private final Path httpTokenFile;

    private SidecarConfig(Builder b) {
        this.registry = b.registry;
        HostPort http = HostPort.parse("--http", b.http);
        HostPort rpc = HostPort.parse("--rpc", b.rpc);
        this.httpHost = http.host();
        this.httpPort = http.port();
        this.rpcHost = rpc.host();
        this.rpcPort = rpc.port();
        this.announceHost = b.announceHost;
        this.exports = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.exports));
        Map<String, List<String>> providers = new LinkedHashMap<>();
        b.staticProviders.forEach((service, list) -> {
            list.forEach(address -> HostPort.parse("--static " + service, address));
            providers.put(service, List.copyOf(list));
        });
        this.staticProviders = java.util.Collections.unmodifiableMap(providers);
        this.cacheDir = b.cacheDir;
        this.descriptors = List.copyOf(b.descriptors);
        this.healthInterval = b.healthInterval;
        this.healthFailures = b.healthFailures;
        this.maxBodyBytes = b.maxBodyBytes;
        this.headerTimeout = b.headerTimeout;
        this.minBodyRate = b.minBodyRate;
        this.bodyRateGrace = b.bodyRateGrace;
        this.maxConnections = b.maxConnections;
        this.maxConnectionsPerAddress = b.maxConnectionsPerAddress;
        this.defaultTimeout = b.defaultTimeout;
        this.propagationDelay = b.propagationDelay;
        this.loadBalancing = b.loadBalancing;
        this.tlsCa = b.tlsCa;
        this.tlsCert = b.tlsCert;
        this.tlsKey = b.tlsKey;
        this.bearerTokenFile = b.bearerTokenFile;
        this.rpcTlsCert = b.rpcTlsCert;
        this.rpcTlsKey = b.rpcTlsKey;
        this.rpcTlsClientCa = b.rpcTlsClientCa;
        Map<String, List<String>> allow = new LinkedHashMap<>();
        b.rpcAllow.forEach((target, ids) -> allow.put(target, List.copyOf(ids)));
        this.rpcAllow = java.util.Collections.unmodifiableMap(allow);
        this.rpcTokenFile = b.rpcTokenFile;
        this.rpcRateLimits = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.rpcRateLimits));
        this.rpcConcurrencyLimits = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.rpcConcurrencyLimits));
        this.httpTokenFile = b.httpTokenFile;
        exported("--rpc-rate-limit", rpcRateLimits);
        exported("--rpc-concurrency-limit", rpcConcurrencyLimits);
        bothOrNeither("--tls-cert", tlsCert, "--tls-key", tlsKey);
        bothOrNeither("--rpc-tls-cert", rpcTlsCert, "--rpc-tls-key", rpcTlsKey);
        if (rpcTlsClientCa != null && rpcTlsCert == null) {
            throw new IllegalArgumentException("--rpc-tls-client-ca: given without --rpc-tls-cert and --rpc-tls-key"
                    + " (expected: the --rpc listener's own certificate first; client certificates need TLS)");
        }
        if (!rpcAllow.isEmpty() && rpcTlsClientCa == null && rpcTokenFile == null) {
            throw new IllegalArgumentException("--rpc-allow: given without --rpc-tls-client-ca or --rpc-token-file"
                    + " (expected: callers are identified by their client certificates or their bearer tokens, so"
                    + " the --rpc listener must require certificates or know the tokens)");
        }
        if (rpcTokenFile != null && rpcAllow.isEmpty()) {
            throw new IllegalArgumentException("--rpc-token-file: given without --rpc-allow (expected: rules saying"
                    + " which of the file's identities may call which exports; tokens alone allow nothing)");
        }
        if (registry != null) {
            CommandLine.zooKeeperConnectString(registry); // validates
            if (!staticProviders.isEmpty()) {
                throw new IllegalArgumentException(
                        "--static: not allowed with --registry (expected: one or the other)");
            }
        }
    }

    private void exported(String flag, Map<String, Integer> limits) {
        for (String target : limits.keySet()) {
            String service = target.substring(0, target.indexOf('/'));
            if (!exports.containsKey(service)) {
                throw new IllegalArgumentException(flag + ": " + service + " is not exported (expected: one of the"
                        + " --export services " + exports.keySet() + "; limits apply to inbound calls)");
            }
        }
    }

    private static void bothOrNeither(String flag, Path value, String other, Path otherValue) {
        if ((value == null) != (otherValue == null)) {
            String given = value == null ? other : flag;
            String missing = value == null ? flag : other;
            throw new IllegalArgumentException(given + ": given without " + missing
                    + " (expected: both, the certificate chain and its private key)");
        }
    }

    /**
     * Parses command-line flags, reading the {@code --config} file first when one is named; flags win
     * over the file. {@link #usage()} lists the flags.
     *
     * @throws IllegalArgumentException naming the flag or key that is wrong and what was expected
     */
    public static SidecarConfig parse(String... args) {
        return CommandLine.parse(args).build();
    }

    /** The text {@code --help} prints: every flag, its default, and the config file keys. */
    public static String usage() {
        return CommandLine.USAGE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The registry address, {@code zookeeper://HOST:PORT[,HOST:PORT...]}, or {@code null} (static mode). */
    public String registry() {
        return registry;
    }

    /** The host of the HTTP endpoint for callers. */
    public String httpHost() {
        return httpHost;
    }

    /** The port of the HTTP endpoint; 0 picks a free one. */
    public int httpPort() {
        return httpPort;
    }

    /** The host of the native-protocol listener. */
    public String rpcHost() {
        return rpcHost;
    }

    /** The port of the native-protocol listener; 0 picks a free one. */
    public int rpcPort() {
        return rpcPort;
    }

    /** The address announced for exports, or {@code null} to derive it from {@link #rpcHost()}. */
    public String announceHost() {
        return announceHost;
    }

    /** The exported services and the base URL of the local app serving each. */
    public Map<String, URI> exports() {
        return exports;
    }

    /** Static mode: providers of each service as {@code HOST:PORT}, used without a registry. */
    public Map<String, List<String>> staticProviders() {
        return staticProviders;
    }

    /** The directory of the registry's node file cache, or {@code null} for the registry's default. */
    public Path cacheDir() {
        return cacheDir;
    }

    /** Descriptor set files ({@code protoc --include_imports --descriptor_set_out}) for JSON. */
    public List<Path> descriptors() {
        return descriptors;
    }

    /** How often each exported app's {@code GET {URL}/health} is polled. */
    public Duration healthInterval() {
        return healthInterval;
    }

    /** Consecutive failed health checks after which an export is unregistered. */
    public int healthFailures() {
        return healthFailures;
    }

    /** The largest HTTP request body accepted; larger ones are answered 413. */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /**
     * How long an HTTP request may take from its first byte to the end of its headers ({@code
     * --header-timeout-ms}); on HTTP/2, the connection preface and each frame and header block.
     */
    public Duration headerTimeout() {
        return headerTimeout;
    }

    /**
     * The slowest an HTTP request body may arrive, in bytes per second, once {@link #bodyRateGrace()}
     * has passed ({@code --min-body-rate}); 0: no minimum.
     */
    public int minBodyRate() {
        return minBodyRate;
    }

    /** How long a request body may take before {@link #minBodyRate()} applies ({@code --body-rate-grace-ms}). */
    public Duration bodyRateGrace() {
        return bodyRateGrace;
    }

    /** The most connections the HTTP endpoint holds at once ({@code --max-connections}). */
    public int maxConnections() {
        return maxConnections;
    }

    /** The most connections the HTTP endpoint holds from one source address ({@code --max-connections-per-address}). */
    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    /** The deadline of outbound calls that carry no {@code X-Outrigger-Timeout-Ms}. */
    public Duration defaultTimeout() {
        return defaultTimeout;
    }

    /** How long shutdown waits after unregistering, before it stops accepting calls. */
    public Duration propagationDelay() {
        return propagationDelay;
    }

    /** How calls are balanced over a service's providers (rules may override per service). */
    public LoadBalancing loadBalancing() {
        return loadBalancing;
    }

    /**
     * The PEM bundle of authorities that sign the providers' certificates ({@code --tls-ca}), or
     * {@code null}. Outbound calls use TLS when this or {@link #tlsCert()} is set.
     */
    public Path tlsCa() {
        return tlsCa;
    }

    /** The certificate chain presented to providers that require mutual TLS ({@code --tls-cert}), or {@code null}. */
    public Path tlsCert() {
        return tlsCert;
    }

    /** The PKCS#8 private key of {@link #tlsCert()} ({@code --tls-key}), or {@code null}. */
    public Path tlsKey() {
        return tlsKey;
    }

    /** Outbound calls send {@code authorization: Bearer} with the token in this file ({@code --bearer-token-file}), or {@code null}. */
    public Path bearerTokenFile() {
        return bearerTokenFile;
    }

    /** The certificate chain of the {@code --rpc} listener ({@code --rpc-tls-cert}), or {@code null} (plaintext). */
    public Path rpcTlsCert() {
        return rpcTlsCert;
    }

    /** The PKCS#8 private key of {@link #rpcTlsCert()} ({@code --rpc-tls-key}), or {@code null}. */
    public Path rpcTlsKey() {
        return rpcTlsKey;
    }

    /**
     * The authorities that sign callers' client certificates ({@code --rpc-tls-client-ca}), or {@code
     * null}. When set, the {@code --rpc} listener requires a client certificate (mutual TLS).
     */
    public Path rpcTlsClientCa() {
        return rpcTlsClientCa;
    }

    /**
     * Who may call the exports ({@code --rpc-allow}): {@code SERVICE/METHOD} ({@code *} for every
     * method) to the identities (client certificate common names, {@code *} for any certified
     * caller). Empty means no access control: every caller the TLS settings let in may call.
     */
    public Map<String, List<String>> rpcAllow() {
        return rpcAllow;
    }

    /**
     * The tokens callers of the exports may send, one {@code IDENTITY TOKEN} line each ({@code
     * --rpc-token-file}), or {@code null}: identities come from client certificates only.
     */
    public Path rpcTokenFile() {
        return rpcTokenFile;
    }

    /**
     * Rate limits of inbound calls ({@code --rpc-rate-limit}): {@code SERVICE/METHOD} ({@code *}: all
     * the export's methods together) to the calls admitted per second. Empty: none but the rules'.
     */
    public Map<String, Integer> rpcRateLimits() {
        return rpcRateLimits;
    }

    /**
     * Concurrency limits (bulkheads) of inbound calls ({@code --rpc-concurrency-limit}): {@code
     * SERVICE/METHOD} ({@code *}: all the export's methods together) to the calls in flight at once.
     * Empty: none but the rules'.
     */
    public Map<String, Integer> rpcConcurrencyLimits() {
        return rpcConcurrencyLimits;
    }

    /**
     * The file holding the token HTTP callers must send as {@code Authorization: Bearer}
     * ({@code --http-token-file}), or {@code null}: no token is asked for.
     */
    public Path httpTokenFile() {
        return httpTokenFile;
    }

    @Override
    public String toString() {
        return "SidecarConfig[registry=" + (registry == null ? "static" : registry) + ", http=" + httpHost + ":"
                + httpPort + ", rpc=" + rpcHost + ":" + rpcPort + ", exports=" + exports + ", static="
                + staticProviders + "]";
    }

    /**
     * Builds a {@link SidecarConfig}. Not thread-safe. Every setting is optional; the defaults are
     * documented on each method.
     */
    public static final class Builder {
        private String registry;
        private String http = DEFAULT_HTTP;
        private String rpc = DEFAULT_RPC;
        private String announceHost;
        private final Map<String, URI> exports = new LinkedHashMap<>();
        private final Map<String, List<String>> staticProviders = new LinkedHashMap<>();
        private Path cacheDir;
        private final List<Path> descriptors = new ArrayList<>();
        private Duration healthInterval = Duration.ofSeconds(2);
        private int healthFailures = 2;
        private int maxBodyBytes = 4 * 1024 * 1024;
        private Duration headerTimeout = Duration.ofSeconds(10);
        private int minBodyRate = 4096;
        private Duration bodyRateGrace = Duration.ofSeconds(5);
        private int maxConnections = 4096;
        private int maxConnectionsPerAddress = 4096;
        private Duration defaultTimeout = Duration.ofSeconds(5);
        private Duration propagationDelay = Duration.ofSeconds(1);
        private LoadBalancing loadBalancing = LoadBalancing.PEAK_EWMA;
        private Path tlsCa;
        private Path tlsCert;
        private Path tlsKey;
        private Path bearerTokenFile;
        private Path rpcTlsCert;
        private Path rpcTlsKey;
        private Path rpcTlsClientCa;
        private final Map<String, List<String>> rpcAllow = new LinkedHashMap<>();
        private Path rpcTokenFile;
        private final Map<String, Integer> rpcRateLimits = new LinkedHashMap<>();
        private final Map<String, Integer> rpcConcurrencyLimits = new LinkedHashMap<>();
        private Path httpTokenFile;

        private Builder() {}

        /** {@code zookeeper://HOST:PORT[,HOST:PORT...]}. Default: none (static mode). */
        public Builder registry(String registry) {
            this.registry = registry;
            return this;
        }

        /** {@code HOST:PORT} of the HTTP endpoint. Default {@value SidecarConfig#DEFAULT_HTTP}. */
        public Builder http(String hostPort) {
            this.http = Objects.requireNonNull(hostPort, "http");
            return this;
        }

        /** {@code HOST:PORT} of the native-protocol listener. Default {@value SidecarConfig#DEFAULT_RPC}. */
        public Builder rpc(String hostPort) {
            this.rpc = Objects.requireNonNull(hostPort, "rpc");
            return this;
        }

        /** The address registered for exports. Default: the {@code --rpc} host, or this machine's address. */
        public Builder announceHost(String host) {
            this.announceHost = host;
            return this;
        }

        /**
         * Exports {@code service}, served by the local app at {@code baseUrl} (replacing an earlier
         * URL for the same service).
         */
        public Builder export(String service, URI baseUrl) {
            checkService("--export", service);
            Objects.requireNonNull(baseUrl, "baseUrl");
            String scheme = baseUrl.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || baseUrl.getHost() == null) {
                throw new IllegalArgumentException("--export " + service + ": \"" + baseUrl
                        + "\" (expected: an http:// URL, e.g. http://127.0.0.1:8080)");
            }
            exports.put(service, baseUrl);
            return this;
        }

        /** Static mode: {@code service} is provided at {@code HOST:PORT} addresses (replacing earlier ones). */
        public Builder staticProviders(String service, List<String> addresses) {
            checkService("--static", service);
            if (addresses.isEmpty()) {
                throw new IllegalArgumentException("--static " + service + ": no address (expected: HOST:PORT)");
            }
            staticProviders.put(service, List.copyOf(addresses));
            return this;
        }

        /** The node file cache directory. Default: the registry's own default. */
        public Builder cacheDir(Path dir) {
            this.cacheDir = dir;
            return this;
        }

        /** Adds a descriptor set file. Default: none. */
        public Builder descriptors(Path file) {
            descriptors.add(Objects.requireNonNull(file, "descriptors"));
            return this;
        }

        /** Health-check interval of exports. Default 2 s. */
        public Builder healthInterval(Duration interval) {
            Objects.requireNonNull(interval, "healthInterval");
            if (interval.toMillis() < 10 || interval.toMillis() > 3_600_000) {
                throw new IllegalArgumentException(
                        "--health-interval-ms: " + interval.toMillis() + " (expected: 10..3600000)");
            }
            this.healthInterval = interval;
            return this;
        }

        /** Consecutive failed checks that unregister an export. Default 2. */
        public Builder healthFailures(int failures) {
            if (failures < 1 || failures > 100) {
                throw new IllegalArgumentException("--health-failures: " + failures + " (expected: 1..100)");
            }
            this.healthFailures = failures;
            return this;
        }

        /** The largest request body, in bytes. Default 4 MiB. */
        public Builder maxBodyBytes(int bytes) {
            if (bytes < 1 || bytes > 256 * 1024 * 1024) {
                throw new IllegalArgumentException("--max-body-bytes: " + bytes + " (expected: 1..268435456)");
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /**
         * How long an HTTP request may take from its first byte to the end of its headers; past it the
         * connection is answered {@code 408} (when nothing else is waiting on it) and closed. A
         * keep-alive connection idle between requests is not timed by this (it is closed after 5
         * minutes idle). On HTTP/2 the same time bounds the connection preface and first {@code
         * SETTINGS}, each frame from its first byte, and each header block ({@code HEADERS} and its
         * {@code CONTINUATION}s). Default 10 s.
         */
        public Builder headerTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "headerTimeout");
            if (timeout.toMillis() < 10 || timeout.toMillis() > 3_600_000) {
                throw new IllegalArgumentException(
                        "--header-timeout-ms: " + timeout.toMillis() + " (expected: 10..3600000)");
            }
            this.headerTimeout = timeout;
            return this;
        }

        /**
         * The slowest a request body may arrive, in bytes per second, checked each second once {@link
         * #bodyRateGrace} has passed since the end of its headers; a slower body closes its connection.
         * 0 turns the check off. Default 4096.
         */
        public Builder minBodyRate(int bytesPerSecond) {
            if (bytesPerSecond < 0 || bytesPerSecond > 1024 * 1024 * 1024) {
                throw new IllegalArgumentException(
                        "--min-body-rate: " + bytesPerSecond + " (expected: 0..1073741824 bytes per second)");
            }
            this.minBodyRate = bytesPerSecond;
            return this;
        }

        /** How long a request body may take, from the end of its headers, before {@link #minBodyRate} applies. Default 5 s. */
        public Builder bodyRateGrace(Duration grace) {
            Objects.requireNonNull(grace, "bodyRateGrace");
            if (grace.isNegative() || grace.toMillis() > 3_600_000) {
                throw new IllegalArgumentException(
                        "--body-rate-grace-ms: " + grace.toMillis() + " (expected: 0..3600000)");
            }
            this.bodyRateGrace = grace;
            return this;
        }

        /**
         * The most connections the HTTP endpoint holds at once; one more is answered {@code 503} and
         * closed. Default 4096 (the process needs as many file descriptors, and more).
         */
        public Builder maxConnections(int connections) {
            if (connections < 1 || connections > 1_000_000) {
                throw new IllegalArgumentException("--max-connections: " + connections + " (expected: 1..1000000)");
            }
            this.maxConnections = connections;
            return this;
        }

        /**
         * The most connections the HTTP endpoint holds from one source address; one more is answered
         * {@code 503} and closed. Default 4096, as {@link #maxConnections}: on loopback every caller
         * is 127.0.0.1, so a lower default would only cap the app the sidecar serves. Lower it when
         * the endpoint listens on a network address, so that one host cannot take every connection.
         */
        public Builder maxConnectionsPerAddress(int connections) {
            if (connections < 1 || connections > 1_000_000) {
                throw new IllegalArgumentException(
                        "--max-connections-per-address: " + connections + " (expected: 1..1000000)");
            }
            this.maxConnectionsPerAddress = connections;
            return this;
        }

        /** Deadline of calls without {@code X-Outrigger-Timeout-Ms}. Default 5 s. */
        public Builder defaultTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "defaultTimeout");
            if (timeout.toMillis() < 1) {
                throw new IllegalArgumentException("--timeout-ms: " + timeout.toMillis() + " (expected: >= 1)");
            }
            this.defaultTimeout = timeout;
            return this;
        }

        /** Wait between unregistering and closing at shutdown. Default 1 s. */
        public Builder propagationDelay(Duration delay) {
            Objects.requireNonNull(delay, "propagationDelay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("--propagation-delay-ms: " + delay.toMillis() + " (expected: >= 0)");
            }
            this.propagationDelay = delay;
            return this;
        }

        /**
         * The load balancer. Default {@link LoadBalancing#PEAK_EWMA}. With {@link
         * LoadBalancing#CONSISTENT_HASH} the key is the {@code X-Outrigger-Hash-Key} header.
         */
        public Builder loadBalancing(LoadBalancing loadBalancing) {
            this.loadBalancing = Objects.requireNonNull(loadBalancing, "loadBalancing");
            return this;
        }

        /**
         * Trusts the authorities in {@code caBundle} (PEM) to sign providers' certificates, and turns TLS
         * on for outbound calls. Default: none (plaintext, unless {@link #tlsCert} is set, which trusts
         * the JDK's default authorities).
         */
        public Builder tlsCa(Path caBundle) {
            this.tlsCa = readable("--tls-ca", caBundle, "a PEM file of CA certificates");
            return this;
        }

        /** The certificate chain (PEM, leaf first) presented to providers that require mutual TLS. Needs {@link #tlsKey}. Default: none. */
        public Builder tlsCert(Path certificateChain) {
            this.tlsCert = readable("--tls-cert", certificateChain, "a PEM certificate chain");
            return this;
        }

        /** The private key (PKCS#8 PEM) of {@link #tlsCert}. Default: none. */
        public Builder tlsKey(Path privateKey) {
            this.tlsKey = readable("--tls-key", privateKey, "a PKCS#8 PEM private key");
            return this;
        }

        /**
         * Outbound calls carry {@code authorization: Bearer <token>}, the token being the content of
         * {@code file} (surrounding whitespace ignored), read again when the file changes. Default: none.
         *
         * @throws IllegalArgumentException if the file cannot be read or holds no usable token
         */
        public Builder bearerTokenFile(Path file) {
            this.bearerTokenFile = tokenFile("--bearer-token-file", file);
            return this;
        }

        /** The certificate chain (PEM) of the {@code --rpc} listener: inbound calls use TLS. Needs {@link #rpcTlsKey}. Default: none (plaintext). */
        public Builder rpcTlsCert(Path certificateChain) {
            this.rpcTlsCert = readable("--rpc-tls-cert", certificateChain, "a PEM certificate chain");
            return this;
        }

        /** The private key (PKCS#8 PEM) of {@link #rpcTlsCert}. Default: none. */
        public Builder rpcTlsKey(Path privateKey) {
            this.rpcTlsKey = readable("--rpc-tls-key", privateKey, "a PKCS#8 PEM private key");
            return this;
        }

        /**
         * The {@code --rpc} listener requires client certificates signed by the authorities in {@code
         * caBundle} (mutual TLS). Needs {@link #rpcTlsCert}. Default: none (no client certificate asked for).
         */
        public Builder rpcTlsClientCa(Path caBundle) {
            this.rpcTlsClientCa = readable("--rpc-tls-client-ca", caBundle, "a PEM file of CA certificates");
            return this;
        }

        /**
         * Lets the callers named {@code identities} (client certificate common names; {@code *}: any
         * certified caller) call {@code method} ({@code *}: every method) of the exported {@code
         * service}. Once any rule is given, calls no rule allows are refused with PERMISSION_DENIED.
         * Needs {@link #rpcTlsClientCa} or {@link #rpcTokenFile} (or both). Calling it again for the same
         * target adds identities.
         * Default: no rules (no access control).
         */
        public Builder rpcAllow(String service, String method, List<String> identities) {
            checkService("--rpc-allow", service);
            Objects.requireNonNull(method, "method");
            if (method.isEmpty() || method.indexOf('/') >= 0 || method.length() > 255) {
                throw new IllegalArgumentException("--rpc-allow: method \"" + method + "\" of " + service
                        + " (expected: a method name, or * for every method)");
            }
            if (identities.isEmpty() || identities.stream().anyMatch(id -> id == null || id.isBlank())) {
                throw new IllegalArgumentException("--rpc-allow: identities " + identities + " for " + service + "/"
                        + method + " (expected: one or more certificate common names, or *)");
            }
            List<String> ids = rpcAllow.computeIfAbsent(service + "/" + method, t -> new ArrayList<>());
            identities.stream()
                    .map(String::strip)
                    .filter(id -> !ids.contains(id))
                    .forEach(ids::add);
            return this;
        }

        /**
         * Callers of the exports may identify themselves with {@code authorization: Bearer TOKEN} (as
         * rpc-core's {@code BearerToken.interceptor} sends it), {@code file} holding one {@code IDENTITY
         * TOKEN} line per token ({@code #} comments and blank lines skipped; an identity may have several
         * tokens, a token one identity). The identities are those {@link #rpcAllow} names; a token, when
         * sent, decides over a client certificate. Needs {@link #rpcAllow}. Read at startup. Default:
         * none (identities come from client certificates only).
         *
         * @throws IllegalArgumentException starting with {@code --rpc-token-file:}, naming the line that
         *     is wrong (never a token)
         */
        public Builder rpcTokenFile(Path file) {
            readable("--rpc-token-file", file, "a file of IDENTITY TOKEN lines");
            try {
                RpcTokenFile.read(file);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--rpc-token-file: " + e.getMessage(), e);
            }
            this.rpcTokenFile = file;
            return this;
        }

        /**
         * Admits at most {@code permitsPerSecond} inbound calls per second of the exported {@code
         * service}'s {@code method} ({@code *}: all its methods together); calls over it are answered
         * {@code RESOURCE_EXHAUSTED} at once, without reaching the app. Checked after {@link
         * #rpcAllow} (refused callers spend no permit). The service's rules ({@code serverLimits}, with
         * {@code --registry}) replace it. Calling it again for the same target replaces the limit.
         * Default: none.
         */
        public Builder rpcRateLimit(String service, String method, int permitsPerSecond) {
            String target = limitTarget("--rpc-rate-limit", service, method);
            if (permitsPerSecond < 1 || permitsPerSecond > 1_000_000) {
                throw new IllegalArgumentException("--rpc-rate-limit: " + permitsPerSecond + " for " + target
                        + " (expected: 1..1000000 calls per second)");
            }
            rpcRateLimits.put(target, permitsPerSecond);
            return this;
        }

        /**
         * Forwards at most {@code maxConcurrent} inbound calls of the exported {@code service}'s {@code
         * method} ({@code *}: all its methods together) to the app at once; calls over it are answered
         * {@code RESOURCE_EXHAUSTED} at once, without waiting. Checked after {@link #rpcAllow}. The
         * service's rules ({@code serverLimits}, with {@code --registry}) replace it. Calling it again
         * for the same target replaces the limit. Default: none.
         */
        public Builder rpcConcurrencyLimit(String service, String method, int maxConcurrent) {
            String target = limitTarget("--rpc-concurrency-limit", service, method);
            if (maxConcurrent < 1 || maxConcurrent > 100_000) {
                throw new IllegalArgumentException("--rpc-concurrency-limit: " + maxConcurrent + " for " + target
                        + " (expected: 1..100000 calls in flight)");
            }
            rpcConcurrencyLimits.put(target, maxConcurrent);
            return this;
        }

        private static String limitTarget(String flag, String service, String method) {
            checkService(flag, service);
            Objects.requireNonNull(method, "method");
            if (method.isEmpty() || method.indexOf('/') >= 0 || method.length() > 255) {
                throw new IllegalArgumentException(flag + ": method \"" + method + "\" of " + service
                        + " (expected: a method name, or * for every method together)");
            }
            return service + "/" + method;
        }

        /**
         * Every HTTP request except {@code GET /health} must carry {@code Authorization: Bearer <token>},
         * the token being the content of {@code file} (surrounding whitespace ignored), read again when
         * the file changes; others get 401 UNAUTHENTICATED. Default: none (no token asked for).
         *
         * @throws IllegalArgumentException if the file cannot be read or holds no usable token
         */
        public Builder httpTokenFile(Path file) {
            this.httpTokenFile = tokenFile("--http-token-file", file);
            return this;
        }

        /** @throws IllegalArgumentException if an address or a combination of settings is invalid */
        public SidecarConfig build() {
            return new SidecarConfig(this);
        }

        private static Path readable(String flag, Path file, String expected) {
            Objects.requireNonNull(file, flag);
            if (!java.nio.file.Files.isRegularFile(file)) {
                throw new IllegalArgumentException(flag + ": " + file + " does not exist (expected: " + expected + ")");
            }
            if (!java.nio.file.Files.isReadable(file)) {
                throw new IllegalArgumentException(flag + ": " + file + " is not readable by this process");
            }
            return file;
        }

        private static Path tokenFile(String flag, Path file) {
            readable(flag, file, "a file holding one token");
            try {
                BearerToken.fromFile(file, flag);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
            }
            return file;
        }

        private static void checkService(String flag, String service) {
            Objects.requireNonNull(service, "service");
            if (service.isEmpty() || service.indexOf('/') >= 0 || service.length() > 255) {
                throw new IllegalArgumentException(
                        flag + ": service \"" + service + "\" (expected: a service name such as demo.UserService)");
            }
        }
    }
}
