package io.outrigger.benchmarks.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} and {@code --flag} command-line options, validated against known names. */
final class Args {

    private final Map<String, String> values = new HashMap<>();

    Args(String[] args, int from, Set<String> options, Set<String> flags) {
        for (int i = from; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name) && value == null) {
                values.put(name, "true");
            } else if (options.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--" + name + " needs a value");
                    }
                    value = args[++i];
                }
                values.put(name, value);
            } else {
                throw new IllegalArgumentException("unknown option: --" + name);
            }
        }
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String get(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    String required(String name) {
        String value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    int intValue(String name, int otherwise, int min) {
        int value = Integer.parseInt(get(name, Integer.toString(otherwise)));
        if (value < min) {
            throw new IllegalArgumentException("--" + name + ": " + value + " (expected: >= " + min + ")");
        }
        return value;
    }

    double seconds(String name, double otherwise) {
        double value = Double.parseDouble(get(name, Double.toString(otherwise)));
        if (!(value >= 0)) {
            throw new IllegalArgumentException("--" + name + ": " + value + " (expected: >= 0 seconds)");
        }
        return value;
    }

    static List<String> list(String commaSeparated) {
        List<String> items = new ArrayList<>();
        for (String item : commaSeparated.split(",")) {
            if (!item.isBlank()) {
                items.add(item.trim());
            }
        }
        return items;
    }
}
