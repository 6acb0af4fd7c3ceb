package io.outrigger.core;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the output of maven-dependency-plugin's {@code list} goal: lines such as {@code
 * io.netty:netty-tcnative-boringssl-static:jar:linux-x86_64:2.0.84.Final:compile (optional) -- module
 * ...} become {@code io.netty:netty-tcnative-boringssl-static:linux-x86_64 (optional)}: groupId,
 * artifactId and classifier, without type, version or scope.
 */
final class ResolvedList {

    private ResolvedList() {}

    static Set<String> parse(List<String> lines) {
        Set<String> artifacts = new TreeSet<>();
        for (String line : lines) {
            String entry = line.strip();
            int module = entry.indexOf(" -- ");
            if (module >= 0) {
                entry = entry.substring(0, module).strip();
            }
            boolean optional = entry.endsWith("(optional)");
            if (optional) {
                entry = entry.substring(0, entry.length() - "(optional)".length())
                        .strip();
            }
            String[] parts = entry.split(":");
            // groupId:artifactId:type[:classifier]:version:scope; the header line has no such shape.
            if (entry.contains(" ") || (parts.length != 5 && parts.length != 6)) {
                continue;
            }
            String artifact = parts[0] + ":" + parts[1] + (parts.length == 6 ? ":" + parts[3] : "");
            artifacts.add(optional ? artifact + " (optional)" : artifact);
        }
        return artifacts;
    }
}
