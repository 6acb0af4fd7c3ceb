package io.outrigger.benchmarks.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Lists the TCP connections of given processes that are not between two loopback addresses. */
final class LoopbackCheck {

    private LoopbackCheck() {}

    /**
     * Lines of {@code ss -tnpH} for {@code pids} whose endpoints are not loopback; empty if none.
     *
     * @param namespacePid a process whose network namespace to look in, or -1 for this one
     */
    static String strayConnections(long namespacePid, List<Long> pids) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (namespacePid > 0) {
            command.addAll(List.of("nsenter", "--net=/proc/" + namespacePid + "/ns/net", "--"));
        }
        command.addAll(List.of("ss", "-tnpH"));
        Process ss = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!ss.waitFor(10, TimeUnit.SECONDS) || ss.exitValue() != 0) {
            return "ss -tnpH failed: " + out;
        }
        StringBuilder stray = new StringBuilder();
        int connections = 0;
        for (String line : out.split("\n")) {
            boolean ours = pids.stream().anyMatch(pid -> line.contains("pid=" + pid + ","));
            if (!ours) {
                continue;
            }
            connections++;
            String[] columns = line.trim().split("\\s+");
            if (columns.length < 5 || !loopback(columns[3]) || !loopback(columns[4])) {
                stray.append(line).append('\n');
            }
        }
        if (connections == 0) {
            return "ss found no connection of processes " + pids + ":\n" + out;
        }
        return stray.toString();
    }

    private static boolean loopback(String endpoint) {
        return endpoint.startsWith("127.") || endpoint.startsWith("[::ffff:127.") || endpoint.startsWith("[::1]");
    }
}
