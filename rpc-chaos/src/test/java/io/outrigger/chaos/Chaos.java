package io.outrigger.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * The run mode of the scenarios and where their figures go.
 *
 * <p>Short mode (the default, part of {@code ./mvnw verify}) keeps every scenario to seconds; long
 * mode ({@code -Dchaos.long=true}) multiplies each phase by six and holds the ZooKeeper outage for
 * 30 seconds.
 */
final class Chaos {

    /** Whether the long mode is on. */
    static final boolean LONG = Boolean.getBoolean("chaos.long");

    private static final int FACTOR = LONG ? 6 : 1;

    private Chaos() {}

    /** A phase of {@code seconds} in short mode, six times that in long mode. */
    static Duration phase(double seconds) {
        return Duration.ofMillis((long) (seconds * 1000 * FACTOR));
    }

    /** How long ZooKeeper stays entirely down: 5 s short, 30 s long. */
    static Duration outage() {
        return Duration.ofSeconds(LONG ? 30 : 5);
    }

    static String mode() {
        return LONG ? "long" : "short";
    }

    /** Where child processes write their logs. */
    static Path logs() throws IOException {
        Path dir = Path.of(System.getProperty("chaos.logs", "target/chaos-logs"));
        Files.createDirectories(dir);
        return dir;
    }

    /** Prints a scenario's one-line summary and appends it to the figures file. */
    static void report(String scenario, String figures) {
        String line = "CHAOS [" + mode() + "] " + scenario + ": " + figures;
        System.out.println(line);
        Path file = Path.of(System.getProperty("chaos.figures", "target/chaos-figures.txt"));
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(
                    file,
                    line + System.lineSeparator(),
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            System.err.println("cannot write " + file + ": " + e);
        }
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
