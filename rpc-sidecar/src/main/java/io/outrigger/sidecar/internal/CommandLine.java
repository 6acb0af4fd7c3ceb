package io.outrigger.sidecar.internal;

import io.outrigger.governance.LoadBalancing;
import io.outrigger.sidecar.SidecarConfig;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the sidecar's flags and its properties file into a {@link SidecarConfig.Builder}. The file
 * is applied first, then the flags, so flags win; {@code --export} and {@code --static} win per
 * service.
 */
public final class CommandLine {

    /** What {@code --help} prints. */
    public static final String USAGE = """
            Usage: java -jar rpc-sidecar.jar [FLAGS]
                   java -jar rpc-sidecar.jar rules validate|get|set|delete ...   (rules --help)

            Outrigger sidecar: lets a service in any language call Outrigger services over local HTTP,
            and serve them, with the same discovery, load balancing and failure handling as a Java caller.

            Flags (FLAG VALUE or FLAG=VALUE):
              --registry zookeeper://HOST:PORT[,HOST:PORT...][/chroot]
                                    the ZooKeeper registry (providers, exports and live rules). Without it
                                    the sidecar runs in static mode (see --static)
              --http HOST:PORT      the HTTP endpoint for callers (default 127.0.0.1:15001). A non-loopback
                                    host without --http-token-file logs a warning: anyone who reaches it
                                    can call every service
              --rpc HOST:PORT       the native-protocol listener for inbound calls to exports
                                    (default 0.0.0.0:15002; only opened when there is an --export)
              --export SERVICE=URL  repeatable: the local app at base URL URL serves SERVICE. The sidecar
                                    registers SERVICE with its --rpc address, forwards each call as
                                    POST URL/SERVICE/METHOD and polls GET URL/health
              --cache-dir DIR       the registry's node file cache, read when ZooKeeper is unreachable at start
                                    (default ~/.outrigger/registry-cache/outrigger@HOSTS)
              --config FILE         a Java properties file with the same settings (keys without "--",
                                    e.g. http=127.0.0.1:15001, export.demo.UserService=http://127.0.0.1:8080,
                                    descriptors=a.pb,b.pb); flags win over the file
              --help                print this text and exit

            Extensions:
              --static SERVICE=HOST:PORT[,HOST:PORT...]
                                    repeatable, static mode only: providers of SERVICE at fixed addresses
              --announce-host HOST  the address registered for exports (default: the --rpc host, or this
                                    machine's address when --rpc binds 0.0.0.0)
              --descriptors FILE    repeatable: a descriptor set (protoc --include_imports
                                    --descriptor_set_out=FILE) enabling JSON for the protobuf services it
                                    declares; exports also publish it to remote sidecars
              --health-interval-ms N  how often exports' health is checked (default 2000)
              --health-failures N   consecutive failed checks that unregister an export (default 2)
              --max-body-bytes N    the largest request body; larger ones get 413 (default 4194304)
              --header-timeout-ms N  a request's headers must come within N ms of its first byte, or the
                                    connection gets 408 and is closed (default 10000); on HTTP/2 also
                                    the preface, each frame and each header block
              --min-body-rate N     after --body-rate-grace-ms, a request body must bring N bytes a
                                    second or its connection is closed (default 4096; 0: no minimum)
              --body-rate-grace-ms N  how long a body may take before --min-body-rate applies (default 5000)
              --max-connections N   HTTP connections held at once; more get 503 (default 4096)
              --max-connections-per-address N
                                    HTTP connections from one source address (default 4096; every caller
                                    on loopback is 127.0.0.1)
              --timeout-ms N        deadline of calls without X-Outrigger-Timeout-Ms (default 5000)
              --propagation-delay-ms N
                                    at shutdown, the wait between unregistering and closing (default 1000)
              --load-balancing NAME peak_ewma (default), weighted_random, round_robin, least_outstanding or
                                    consistent_hash (keyed by the X-Outrigger-Hash-Key header)

            Security (docs/security.md, "The sidecar"):
              --http-token-file FILE  HTTP callers must send "Authorization: Bearer TOKEN", TOKEN being the
                                    content of FILE (re-read when it changes); others get 401. GET /health
                                    needs no token
              --tls-ca FILE         outbound calls use TLS and trust the CA certificates (PEM) in FILE to
                                    sign the providers' certificates
              --tls-cert FILE, --tls-key FILE
                                    the certificate chain (PEM) and PKCS#8 key presented to providers that
                                    require client certificates (mutual TLS)
              --bearer-token-file FILE  outbound calls send "authorization: Bearer TOKEN" read from FILE
                                    (re-read when it changes)
              --rpc-tls-cert FILE, --rpc-tls-key FILE
                                    the --rpc listener serves TLS with this certificate chain and key
              --rpc-tls-client-ca FILE  the --rpc listener requires client certificates signed by these CAs
              --rpc-allow SERVICE/METHOD=NAME[,NAME...]
                                    repeatable, needs --rpc-tls-client-ca or --rpc-token-file: only callers
                                    whose certificate common name or token identity is listed may call
                                    METHOD (* for every method) of the exported SERVICE; NAME * is any
                                    identified caller; without a rule: refused
              --rpc-token-file FILE  callers of the --rpc listener may send "authorization: Bearer TOKEN";
                                    FILE has one "IDENTITY TOKEN" line per token (# comments); needs
                                    --rpc-allow; read at startup

            Limits of inbound calls (checked after --rpc-allow; the rules' serverLimits replace them):
              --rpc-rate-limit SERVICE/METHOD=N
                                    repeatable: at most N calls a second of METHOD (* for all methods
                                    together) of the exported SERVICE; more get RESOURCE_EXHAUSTED
              --rpc-concurrency-limit SERVICE/METHOD=N
                                    repeatable: at most N calls of METHOD (* for all methods together)
                                    of the exported SERVICE forwarded to the app at once; more get
                                    RESOURCE_EXHAUSTED

            HTTP endpoint:
              POST /rpc/{service}/{method}   Content-Type application/x-protobuf, application/x-thrift or
                                             application/json (protobuf services with descriptors)
              GET  /health                   200 {"status":"UP"} when ready
              GET  /admin                    the providers seen (and whether from the registry or its file
                                             cache) and the exports' health, as JSON
            Documentation: docs/sidecar.md
            """;

    private static final Set<String> VALUE_FLAGS = Set.of(
            "registry",
            "http",
            "rpc",
            "export",
            "cache-dir",
            "config",
            "static",
            "announce-host",
            "descriptors",
            "health-interval-ms",
            "health-failures",
            "max-body-bytes",
            "header-timeout-ms",
            "min-body-rate",
            "body-rate-grace-ms",
            "max-connections",
            "max-connections-per-address",
            "timeout-ms",
            "propagation-delay-ms",
            "load-balancing",
            "http-token-file",
            "tls-ca",
            "tls-cert",
            "tls-key",
            "bearer-token-file",
            "rpc-tls-cert",
            "rpc-tls-key",
            "rpc-tls-client-ca",
            "rpc-allow",
            "rpc-token-file",
            "rpc-rate-limit",
            "rpc-concurrency-limit");

    private CommandLine() {}

    /** Whether {@code args} ask for help. */
    public static boolean wantsHelp(String... args) {
        return Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.equals("-h"));
    }

    /**
     * Parses {@code args} (and the {@code --config} file they name).
     *
     * @throws IllegalArgumentException naming the flag or key at fault
     */
    public static SidecarConfig.Builder parse(String... args) {
        List<String[]> flags = new ArrayList<>();
        String configFile = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException(
                        "unexpected argument \"" + arg + "\" (expected: --FLAG VALUE; see --help)");
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (VALUE_FLAGS.contains(name)) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + ": missing value (see --help)");
                }
                value = args[++i];
            } else {
                value = null;
            }
            if (!VALUE_FLAGS.contains(name)) {
                throw new IllegalArgumentException("unknown flag --" + name + " (see --help)");
            }
            if (name.equals("config")) {
                configFile = value;
            } else {
                flags.add(new String[] {name, value});
            }
        }
        SidecarConfig.Builder b = SidecarConfig.builder();
        if (configFile != null) {
            // Descriptor files are a list, not keyed: those given as flags replace the file's.
            boolean flagDescriptors = flags.stream().anyMatch(f -> f[0].equals("descriptors"));
            applyFile(b, Path.of(configFile), flagDescriptors);
        }
        for (String[] flag : flags) {
            apply(b, "--" + flag[0], flag[0], flag[1]);
        }
        return b;
    }

    private static void applyFile(SidecarConfig.Builder b, Path file, boolean skipDescriptors) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new IllegalArgumentException("--config: cannot read " + file + ": " + e.getMessage(), e);
        }
        for (String key : new TreeSet<>(properties.stringPropertyNames())) {
            String value = properties.getProperty(key).strip();
            String where = file + ": " + key;
            if (key.startsWith("export.")) {
                apply(b, where, "export", key.substring("export.".length()) + "=" + value);
            } else if (key.startsWith("rpc-allow.")) {
                apply(b, where, "rpc-allow", key.substring("rpc-allow.".length()) + "=" + value);
            } else if (key.startsWith("rpc-rate-limit.")) {
                apply(b, where, "rpc-rate-limit", key.substring("rpc-rate-limit.".length()) + "=" + value);
            } else if (key.startsWith("rpc-concurrency-limit.")) {
                apply(
                        b,
                        where,
                        "rpc-concurrency-limit",
                        key.substring("rpc-concurrency-limit.".length()) + "=" + value);
            } else if (key.startsWith("static.")) {
                apply(b, where, "static", key.substring("static.".length()) + "=" + value);
            } else if (key.equals("descriptors")) {
                if (skipDescriptors) {
                    continue;
                }
                for (String path : value.split(",")) {
                    if (!path.isBlank()) {
                        apply(b, where, "descriptors", path.strip());
                    }
                }
            } else if (VALUE_FLAGS.contains(key) && !key.equals("config")) {
                apply(b, where, key, value);
            } else {
                throw new IllegalArgumentException(where + ": unknown setting (expected one of: "
                        + String.join(", ", new TreeSet<>(VALUE_FLAGS)).replace("config, ", "")
                        + "; export.SERVICE, static.SERVICE, rpc-allow.SERVICE/METHOD, rpc-rate-limit.SERVICE/METHOD,"
                        + " rpc-concurrency-limit.SERVICE/METHOD)");
            }
        }
    }

    private static void apply(SidecarConfig.Builder b, String where, String name, String value) {
        try {
            switch (name) {
                case "registry" -> b.registry(value);
                case "http" -> b.http(value);
                case "rpc" -> b.rpc(value);
                case "announce-host" -> b.announceHost(value);
                case "cache-dir" -> b.cacheDir(Path.of(value));
                case "descriptors" -> b.descriptors(Path.of(value));
                case "export" -> {
                    String[] kv = keyValue(value, "SERVICE=URL, e.g. demo.UserService=http://127.0.0.1:8080");
                    URI uri;
                    try {
                        uri = new URI(kv[1]);
                    } catch (URISyntaxException e) {
                        throw new IllegalArgumentException(
                                "\"" + kv[1] + "\" is not a URL (expected: e.g. http://127.0.0.1:8080)");
                    }
                    b.export(kv[0], uri);
                }
                case "static" -> {
                    String[] kv = keyValue(value, "SERVICE=HOST:PORT[,HOST:PORT...]");
                    List<String> addresses = new ArrayList<>();
                    for (String a : kv[1].split(",")) {
                        if (!a.isBlank()) {
                            addresses.add(a.strip());
                        }
                    }
                    b.staticProviders(kv[0], addresses);
                }
                case "health-interval-ms" -> b.healthInterval(Duration.ofMillis(number(value)));
                case "health-failures" -> b.healthFailures((int) number(value));
                case "max-body-bytes" -> b.maxBodyBytes((int) Math.min(Integer.MAX_VALUE, number(value)));
                case "header-timeout-ms" -> b.headerTimeout(Duration.ofMillis(number(value)));
                case "min-body-rate" -> b.minBodyRate(clampedInt(value));
                case "body-rate-grace-ms" -> b.bodyRateGrace(Duration.ofMillis(number(value)));
                case "max-connections" -> b.maxConnections(clampedInt(value));
                case "max-connections-per-address" -> b.maxConnectionsPerAddress(clampedInt(value));
                case "timeout-ms" -> b.defaultTimeout(Duration.ofMillis(number(value)));
                case "propagation-delay-ms" -> b.propagationDelay(Duration.ofMillis(number(value)));
                case "load-balancing" -> b.loadBalancing(loadBalancing(value));
                case "http-token-file" -> b.httpTokenFile(Path.of(value));
                case "tls-ca" -> b.tlsCa(Path.of(value));
                case "tls-cert" -> b.tlsCert(Path.of(value));
                case "tls-key" -> b.tlsKey(Path.of(value));
                case "bearer-token-file" -> b.bearerTokenFile(Path.of(value));
                case "rpc-tls-cert" -> b.rpcTlsCert(Path.of(value));
                case "rpc-tls-key" -> b.rpcTlsKey(Path.of(value));
                case "rpc-tls-client-ca" -> b.rpcTlsClientCa(Path.of(value));
                case "rpc-token-file" -> b.rpcTokenFile(Path.of(value));
                case "rpc-allow" -> {
                    String[] kv = keyValue(value, "SERVICE/METHOD=NAME[,NAME...], e.g. demo.Greeter/*=billing,ops");
                    int slash = kv[0].lastIndexOf('/');
                    if (slash <= 0 || slash == kv[0].length() - 1) {
                        throw new IllegalArgumentException("\"" + value
                                + "\" (expected: SERVICE/METHOD=NAME[,NAME...], e.g. demo.Greeter/*=billing,ops)");
                    }
                    List<String> names = new ArrayList<>();
                    for (String n : kv[1].split(",")) {
                        if (!n.isBlank()) {
                            names.add(n.strip());
                        }
                    }
                    b.rpcAllow(kv[0].substring(0, slash), kv[0].substring(slash + 1), names);
                }
                case "rpc-rate-limit" -> {
                    String[] target = limitTarget(value);
                    b.rpcRateLimit(target[0], target[1], clampedInt(target[2]));
                }
                case "rpc-concurrency-limit" -> {
                    String[] target = limitTarget(value);
                    b.rpcConcurrencyLimit(target[0], target[1], clampedInt(target[2]));
                }
                default -> throw new IllegalArgumentException("unknown setting");
            }
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            throw new IllegalArgumentException(
                    message != null && message.startsWith("--")
                            ? where + ": " + message.substring(message.indexOf(':') + 2)
                            : where + ": " + message,
                    e);
        }
    }

    /** {@code SERVICE/METHOD=N} as service, method and N. */
    private static String[] limitTarget(String value) {
        String expected = "SERVICE/METHOD=N, e.g. demo.Greeter/*=100";
        String[] kv = keyValue(value, expected);
        int slash = kv[0].lastIndexOf('/');
        if (slash <= 0 || slash == kv[0].length() - 1) {
            throw new IllegalArgumentException("\"" + value + "\" (expected: " + expected + ")");
        }
        return new String[] {kv[0].substring(0, slash), kv[0].substring(slash + 1), kv[1]};
    }

    private static LoadBalancing loadBalancing(String value) {
        try {
            return LoadBalancing.valueOf(
                    value.strip().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("\"" + value
                    + "\" (expected: peak_ewma, weighted_random, round_robin, least_outstanding or consistent_hash)");
        }
    }

    private static String[] keyValue(String value, String expected) {
        int eq = value == null ? -1 : value.indexOf('=');
        if (eq <= 0 || eq == value.length() - 1) {
            throw new IllegalArgumentException("\"" + value + "\" (expected: " + expected + ")");
        }
        return new String[] {
            value.substring(0, eq).strip(), value.substring(eq + 1).strip()
        };
    }

    /** A whole number, clamped to the int range so that the range check names the value given. */
    private static int clampedInt(String value) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, number(value)));
    }

    private static long number(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException | NullPointerException e) {
            throw new IllegalArgumentException("\"" + value + "\" (expected: a whole number)");
        }
    }

    /**
     * The ZooKeeper connect string of {@code zookeeper://HOST:PORT[,HOST:PORT...][/chroot]}.
     *
     * @throws IllegalArgumentException if the address is not of that form
     */
    public static String zooKeeperConnectString(String registry) {
        String prefix = "zookeeper://";
        if (registry == null || !registry.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw new IllegalArgumentException("--registry: \"" + registry
                    + "\" (expected: zookeeper://HOST:PORT[,HOST:PORT...], e.g. zookeeper://127.0.0.1:2181)");
        }
        String rest = registry.substring(prefix.length());
        int slash = rest.indexOf('/');
        String hosts = slash >= 0 ? rest.substring(0, slash) : rest;
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException(
                    "--registry: \"" + registry + "\" names no host (expected: zookeeper://HOST:PORT)");
        }
        for (String hp : hosts.split(",")) {
            HostPort parsed = HostPort.parse("--registry", hp);
            if (parsed.port() == 0) {
                throw new IllegalArgumentException("--registry: port 0 in \"" + registry + "\" (expected: 1..65535)");
            }
        }
        String chroot = slash >= 0 && slash < rest.length() - 1 ? rest.substring(slash) : "";
        return hosts + chroot;
    }
}
