package io.outrigger.benchmarks.internal;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the server's memory did while a client held idle connections to it: the resident set and
 * the live heap with none of the client's connections open ({@code before}) and with
 * {@code established} of them open, each having carried one call ({@code after}). Travels from the
 * client JVM to the orchestrator as one {@code MEMORY key=value ...} line.
 *
 * @param requested the connections the client tried to open
 * @param established the connections {@code ss} counted as established to the server's port
 */
record MemoryResult(
        int requested, int established, long rssBefore, long rssAfter, long heapBefore, long heapAfter, long errors) {

    static final String PREFIX = "MEMORY ";

    /** Resident set per established connection, in KiB; NaN if unknown. */
    double rssKibPerConnection() {
        return perConnectionKib(rssBefore, rssAfter, established);
    }

    /** Live heap per established connection, in KiB; NaN if unknown. */
    double heapKibPerConnection() {
        return perConnectionKib(heapBefore, heapAfter, established);
    }

    /** {@code (after - before) / connections} in KiB; NaN if a reading is missing or no connection was open. */
    static double perConnectionKib(long before, long after, int connections) {
        return before < 0 || after < 0 || connections <= 0 ? Double.NaN : (after - before) / 1024.0 / connections;
    }

    String line() {
        return String.format(
                Locale.ROOT,
                PREFIX + "requested=%d established=%d rssBefore=%d rssAfter=%d heapBefore=%d heapAfter=%d errors=%d",
                requested,
                established,
                rssBefore,
                rssAfter,
                heapBefore,
                heapAfter,
                errors);
    }

    static MemoryResult parse(String line) {
        Map<String, String> kv = new HashMap<>();
        for (String part : line.substring(PREFIX.length()).trim().split(" ")) {
            int eq = part.indexOf('=');
            kv.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return new MemoryResult(
                Integer.parseInt(kv.get("requested")),
                Integer.parseInt(kv.get("established")),
                Long.parseLong(kv.get("rssBefore")),
                Long.parseLong(kv.get("rssAfter")),
                Long.parseLong(kv.get("heapBefore")),
                Long.parseLong(kv.get("heapAfter")),
                Long.parseLong(kv.get("errors")));
    }
}
