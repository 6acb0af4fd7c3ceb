package io.outrigger.benchmarks.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the bytes a client sent spread over its connections to one server port, read from
 * {@code ss -tni} ({@code bytes_acked} of each established socket): whether "64 connections"
 * carried the load on 64 connections or on a few.
 *
 * @param connections the connections counted
 * @param carrying those that carried at least a tenth of an even share of the bytes
 * @param busiestShare the busiest connection's share of all the bytes, 0..1
 */
record ConnectionSpread(int connections, int carrying, double busiestShare) {

    private static final Pattern SOCKET = Pattern.compile("^\\S+\\s+\\S+\\s+(\\S+)\\s+\\S+");
    private static final Pattern BYTES_ACKED = Pattern.compile("bytes_acked:(\\d+)");

    /**
     * The established connections of this network namespace to {@code port}: local address to the
     * bytes sent and acknowledged so far. Empty if {@code ss} fails.
     */
    static Map<String, Long> sockets(int port) throws InterruptedException {
        try {
            Process ss = new ProcessBuilder("ss", "-tniH", "state", "established", "( dport = :" + port + " )")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!ss.waitFor(10, TimeUnit.SECONDS) || ss.exitValue() != 0) {
                return Map.of();
            }
            return parse(out);
        } catch (IOException e) {
            return Map.of();
        }
    }

    /**
     * Reads {@code ss -tni} output: a line per socket ({@code Recv-Q Send-Q Local Peer}), then an
     * indented line of its TCP information.
     */
    static Map<String, Long> parse(String ssOutput) {
        Map<String, Long> sockets = new LinkedHashMap<>();
        String local = null;
        for (String line : ssOutput.split("\n")) {
            Matcher socket = SOCKET.matcher(line);
            if (!line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && socket.find()) {
                local = socket.group(1);
                sockets.put(local, 0L);
                continue;
            }
            Matcher acked = BYTES_ACKED.matcher(line);
            if (local != null && acked.find()) {
                sockets.put(local, Long.parseLong(acked.group(1)));
            }
        }
        return sockets;
    }

    /** The spread over the sockets in {@code sockets} that are not in {@code leaveOut} (connections opened before). */
    static ConnectionSpread of(Map<String, Long> sockets, Set<String> leaveOut) {
        List<Long> bytes = sockets.entrySet().stream()
                .filter(e -> !leaveOut.contains(e.getKey()))
                .map(Map.Entry::getValue)
                .toList();
        long total = bytes.stream().mapToLong(Long::longValue).sum();
        if (bytes.isEmpty() || total == 0) {
            return new ConnectionSpread(bytes.size(), 0, 0);
        }
        double tenthOfEvenShare = total / 10.0 / bytes.size();
        int carrying = (int) bytes.stream().filter(b -> b >= tenthOfEvenShare).count();
        long busiest = bytes.stream().mapToLong(Long::longValue).max().orElse(0);
        return new ConnectionSpread(bytes.size(), carrying, (double) busiest / total);
    }

    /** For the report, e.g. {@code traffic on 2 of 64 connections (busiest 51%)}. */
    String describe() {
        return String.format(
                Locale.ROOT,
                "traffic on %d of %d connections (busiest %.0f%%)",
                carrying,
                connections,
                busiestShare * 100);
    }
}
