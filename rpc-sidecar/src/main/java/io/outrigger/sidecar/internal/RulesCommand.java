package io.outrigger.sidecar.internal;

import io.outrigger.governance.LiveRules;
import io.outrigger.registry.RegistryException;
import io.outrigger.registry.ZooKeeperRuleSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code java -jar rpc-sidecar.jar rules ...}: reads, writes, checks and deletes the rule document of
 * a service in ZooKeeper. It lives in the sidecar's jar because it needs both the ZooKeeper rule
 * source (rpc-registry) and the rule validator (rpc-governance), which do not know each other.
 *
 * <pre>
 * rules validate FILE                                      check a document, no ZooKeeper needed
 * rules get      --registry zookeeper://HOST:PORT SERVICE   print the document in force
 * rules set      --registry zookeeper://HOST:PORT SERVICE FILE   validate, then store
 * rules delete   --registry zookeeper://HOST:PORT SERVICE   remove it ("no rules")
 * </pre>
 *
 * FILE {@code -} is standard input. Exit status: 0 done, 1 failed (invalid document, ZooKeeper
 * unreachable or refusing), 2 bad usage, 3 the service has no rule document (get, delete).
 */
public final class RulesCommand {

    /** What {@code rules --help} prints. */
    public static final String USAGE = """
            Usage: java -jar rpc-sidecar.jar rules COMMAND [--registry zookeeper://HOST:PORT[,HOST:PORT...][/chroot]]
                                                           [--namespace NS] [--timeout-ms N] ARGS

            Reads and writes the governance rules of a service (docs/rules.md) in ZooKeeper, at
            /{namespace}/services/{SERVICE}/rules.

            Commands:
              validate [SERVICE] FILE  check a rule document; prints "valid" or the first problem
              get SERVICE              print the document in force (exit 3 when there is none)
              set SERVICE FILE         validate FILE, then store it: every caller applies it within a second
              delete SERVICE           remove the document: the values configured in code apply again
                                       (exit 3 when there was none)

            FILE "-" reads standard input. --namespace defaults to outrigger; --timeout-ms (default 5000)
            bounds the wait for ZooKeeper. Exit status: 0 done, 1 failed, 2 bad usage, 3 no document.
            """;

    private RulesCommand() {}

    /**
     * Runs {@code args} (what follows {@code rules}).
     *
     * @return the exit status
     */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        String registry = null;
        String namespace = null;
        Duration timeout = Duration.ofSeconds(5);
        List<String> positional = new ArrayList<>();
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--help") || arg.equals("-h")) {
                    out.print(USAGE);
                    return 0;
                }
                if (arg.startsWith("--")) {
                    String name = arg.substring(2);
                    String value;
                    int eq = name.indexOf('=');
                    if (eq >= 0) {
                        value = name.substring(eq + 1);
                        name = name.substring(0, eq);
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw new IllegalArgumentException("--" + name + ": missing value");
                    }
                    switch (name) {
                        case "registry" -> registry = CommandLine.zooKeeperConnectString(value);
                        case "namespace" -> namespace = value;
                        case "timeout-ms" -> timeout = Duration.ofMillis(positiveMillis(value));
                        default -> throw new IllegalArgumentException("unknown flag --" + name);
                    }
                } else {
                    positional.add(arg);
                }
            }
            if (positional.isEmpty()) {
                throw new IllegalArgumentException("no command (expected: validate, get, set or delete)");
            }
        } catch (IllegalArgumentException e) {
            return usage(err, e.getMessage());
        }
        String command = positional.remove(0);
        switch (command) {
            case "validate" -> {
                if (positional.size() != 1 && positional.size() != 2) {
                    return usage(err, "validate: expected [SERVICE] FILE");
                }
                String file = positional.get(positional.size() - 1);
                Optional<String> json = read(file, in, err);
                if (json.isEmpty()) {
                    return 1;
                }
                if (!valid(file, json.get(), err)) {
                    return 1;
                }
                out.println("valid");
                return 0;
            }
            case "get", "delete", "set" -> {
                int expected = command.equals("set") ? 2 : 1;
                if (positional.size() != expected) {
                    return usage(err, command + ": expected SERVICE" + (expected == 2 ? " FILE" : ""));
                }
                if (registry == null) {
                    return usage(err, command + ": --registry zookeeper://HOST:PORT is required");
                }
                String service = positional.get(0);
                String json = null;
                if (command.equals("set")) {
                    Optional<String> read = read(positional.get(1), in, err);
                    if (read.isEmpty() || !valid(positional.get(1), read.get(), err)) {
                        return 1;
                    }
                    json = read.get();
                }
                ZooKeeperRuleSource.Builder b =
                        ZooKeeperRuleSource.builder(registry).connectionTimeout(timeout);
                if (namespace != null) {
                    b.namespace(namespace);
                }
                try (ZooKeeperRuleSource rules = b.build()) {
                    switch (command) {
                        case "get" -> {
                            Optional<String> doc = rules.read(service);
                            if (doc.isEmpty()) {
                                err.println("rules: " + service + " has no rule document");
                                return 3;
                            }
                            out.println(doc.get());
                            return 0;
                        }
                        case "delete" -> {
                            if (!rules.delete(service)) {
                                err.println("rules: " + service + " had no rule document");
                                return 3;
                            }
                            out.println("deleted the rules of " + service);
                            return 0;
                        }
                        default -> {
                            rules.publish(service, json);
                            out.println("stored the rules of " + service);
                            return 0;
                        }
                    }
                } catch (RegistryException | IllegalArgumentException e) {
                    err.println("rules: " + command + " " + service + ": " + e.getMessage());
                    return 1;
                }
            }
            default -> {
                return usage(err, "unknown command \"" + command + "\" (expected: validate, get, set or delete)");
            }
        }
    }

    private static boolean valid(String file, String json, PrintStream err) {
        String name = "-".equals(file) ? "standard input" : file;
        try {
            List<String> ignored = LiveRules.validate(json);
            if (!ignored.isEmpty()) {
                err.println("rules: warning: " + name + " has fields this Outrigger does not know; callers of this"
                        + " version ignore them: " + ignored + " (a typo, or written for a newer version?)");
            }
            return true;
        } catch (IllegalArgumentException e) {
            err.println("rules: " + name + " is not a valid rule document: " + e.getMessage());
            return false;
        }
    }

    private static Optional<String> read(String file, InputStream in, PrintStream err) {
        try {
            if (file.equals("-")) {
                return Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            return Optional.of(Files.readString(Path.of(file), StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            err.println("rules: no such file: " + file);
        } catch (IOException e) {
            err.println("rules: cannot read " + file + ": " + e);
        }
        return Optional.empty();
    }

    private static long positiveMillis(String value) {
        try {
            long ms = Long.parseLong(value.strip());
            if (ms >= 1) {
                return ms;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--timeout-ms: \"" + value + "\" (expected: milliseconds >= 1)");
    }

    private static int usage(PrintStream err, String problem) {
        err.println("rules: " + problem);
        err.println("Try: java -jar rpc-sidecar.jar rules --help");
        return 2;
    }
}
