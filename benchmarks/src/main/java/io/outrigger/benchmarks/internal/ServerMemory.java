package io.outrigger.benchmarks.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory another JVM holds: its resident set ({@code VmRSS} in {@code /proc/<pid>/status})
 * and its live heap, read with {@code jcmd <pid> GC.run} then {@code GC.heap_info} (a full
 * collection first, so that the figure is what is reachable, not garbage waiting for the next GC).
 */
final class ServerMemory {

    /** One reading; either figure is -1 if it could not be read. */
    record Sample(long rssBytes, long heapUsedBytes) {}

    private static final Pattern USED = Pattern.compile("used (\\d+)([KMG])");
    private static final Pattern VM_RSS = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB");

    private ServerMemory() {}

    /** Collects garbage in process {@code pid}, then reads its live heap and resident set. */
    static Sample sample(long pid) throws InterruptedException {
        long heap = -1;
        try {
            jcmd(pid, "GC.run");
            heap = heapUsedBytes(jcmd(pid, "GC.heap_info"));
        } catch (IOException e) {
            // No jcmd (a JRE) or the attach failed: report the RSS alone.
        }
        return new Sample(rssBytes(read(Path.of("/proc", Long.toString(pid), "status"))), heap);
    }

    /**
     * The heap in use according to {@code GC.heap_info}: the sum of the "used" figures of the heap
     * or generation lines (G1: {@code garbage-first heap total 1048576K, used 23456K}; Serial and
     * Parallel: one line per generation), leaving out metaspace and the per-space detail lines.
     *
     * @return bytes, or -1 if the output has no such line
     */
    static long heapUsedBytes(String heapInfo) {
        long total = 0;
        boolean found = false;
        for (String line : heapInfo.split("\n")) {
            if (line.contains("space") || line.contains("Metaspace")) {
                continue;
            }
            Matcher m = USED.matcher(line);
            if (m.find()) {
                long value = Long.parseLong(m.group(1));
                total += switch (m.group(2)) {
                    case "K" -> value << 10;
                    case "M" -> value << 20;
                    default -> value << 30;
                };
                found = true;
            }
        }
        return found ? total : -1;
    }

    /** {@code VmRSS} of a {@code /proc/<pid>/status} text in bytes, or -1 if absent. */
    static long rssBytes(String procStatus) {
        Matcher m = VM_RSS.matcher(procStatus);
        return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
    }

    private static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(jcmdPath(), Long.toString(pid), command)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("jcmd " + pid + " " + command + " failed: " + out);
        }
        return out;
    }

    /** The jcmd next to this JVM's java (same JDK as the server's), else the one on the PATH. */
    private static String jcmdPath() {
        return ProcessHandle.current()
                .info()
                .command()
                .map(java -> Path.of(java).resolveSibling("jcmd"))
                .filter(Files::isExecutable)
                .map(Path::toString)
                .orElse("jcmd");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
