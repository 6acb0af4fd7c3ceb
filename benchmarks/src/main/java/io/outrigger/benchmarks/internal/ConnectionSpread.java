package io.outrigger.benchmarks.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the bytes a client sent spread over its connections to one server port, read from
 * {@code ss -tni} ({@code bytes_acked} of each established socket): whether "64 connections"
 * carried the load on 64 connections or on a few.
 *
 * @param connections the established connections to the port
 * @param carrying those that carried at least a tenth of an even share of the bytes
 * @param busiestShare the busiest connection's share of all the bytes, 0..1
 */
record ConnectionSpread(int connections, int carrying, double busiestShare) {

    private static final Pattern BYTES_ACKED = Pattern.compile("bytes_acked:(\\d+)");

    /** The spread over the established connections of this network namespace to {@code port}; null if unknown. */
    static ConnectionSpread of(int port) throws InterruptedException {
        try {
            Process ss = new ProcessBuilder("ss", "-tniH", "state", "established", "( dport = :" + port + " )")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!ss.waitFor(10, TimeUnit.SECONDS) || ss.exitValue() != 0) {
                return null;
            }
            return parse(out);
        } catch (IOException e) {
            return null;
        }
    }

    /** Reads the {@code bytes_acked} of every socket in {@code ss -tni} output. */
    static ConnectionSpread parse(String ssOutput) {
        List<Long> bytes = new ArrayList<>();
        Matcher m = BYTES_ACKED.matcher(ssOutput);
        while (m.find()) {
            bytes.add(Long.parseLong(m.group(1)));
        }
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
