package io.outrigger.benchmarks.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A process the orchestrator started: its stdout is read line by line (and copied to a log file
 * with its stderr). Every live child is destroyed by a shutdown hook, so an interrupted comparison
 * leaves nothing running; only processes started here are ever signalled.
 */
final class Child implements AutoCloseable {

    /** Marks the end of the child's stdout in {@link #nextLine}. */
    static final String END = "\u0000END";

    private static final Set<Child> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            for (Child child : LIVE) {
                                child.close();
                            }
                        },
                        "destroy-children"));
    }

    private final String name;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private Child(String name, Process process, Path log) throws IOException {
        this.name = name;
        this.process = process;
        LIVE.add(this);
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log.resolveSibling(log.getFileName() + ".out")));
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader in = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            out.println(line);
                            out.flush();
                            lines.add(line);
                        }
                    } catch (IOException ignored) {
                        // The process went away; END follows.
                    } finally {
                        out.close();
                        lines.add(END);
                    }
                },
                name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code command}; stderr goes to {@code log}, stdout to {@code log.out} and {@link #nextLine}. */
    static Child start(String name, List<String> command, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectOutput(ProcessBuilder.Redirect.PIPE);
        // stdin stays an open pipe: the child exits when it closes (see Lifeline).
        Files.writeString(log, "# " + String.join(" ", command) + System.lineSeparator());
        return new Child(name, builder.start(), log);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The next stdout line, {@link #END} at the end, or {@code null} if none came before the deadline. */
    String nextLine(long deadlineNanos) throws InterruptedException {
        long wait = deadlineNanos - System.nanoTime();
        return wait <= 0 ? lines.poll() : lines.poll(wait, TimeUnit.NANOSECONDS);
    }

    /** Waits up to {@code millis} for the process to exit by itself. */
    boolean waitFor(long millis) throws InterruptedException {
        return process.waitFor(millis, TimeUnit.MILLISECONDS);
    }

    /** SIGTERM, then SIGKILL if it has not exited within ten seconds. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(this);
        }
    }
}
