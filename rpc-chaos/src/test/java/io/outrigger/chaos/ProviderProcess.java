package io.outrigger.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ProviderMain} in a child JVM started with this JVM's class path. Only processes started
 * here are ever signalled; every live one is destroyed by {@link #close()}, and by a shutdown hook if
 * the test JVM exits first. If the test JVM is killed, the child sees its stdin close and exits.
 */
final class ProviderProcess implements AutoCloseable {

    private static final Set<ProviderProcess> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(() -> LIVE.forEach(p -> p.process.destroyForcibly()), "destroy-providers"));
    }

    private final String name;
    private final Process process;
    private final Path cacheDir;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final int port;

    private ProviderProcess(String name, Process process, Path cacheDir) throws IOException {
        this.name = name;
        this.process = process;
        this.cacheDir = cacheDir;
        LIVE.add(this);
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader in = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            lines.add(line);
                        }
                    } catch (IOException ignored) {
                        // The process went away.
                    }
                    lines.add("EOF");
                },
                name + "-stdout");
        reader.setDaemon(true);
        reader.start();
        String first = next(Duration.ofSeconds(60));
        if (first == null || !first.startsWith("PORT ")) {
            close();
            throw new IOException(name + " did not start (said " + first + "); see its log in " + Chaos.logs());
        }
        this.port = Integer.parseInt(first.substring(5).trim());
    }

    /** Where a provider started with {@code cacheDir} writes its executions ({@link ExecutionLog}). */
    static Path executions(Path cacheDir) {
        return cacheDir.resolve("executions.log");
    }

    /** Starts a provider registering in {@code zookeeper}; returns once it serves and is registered. */
    static ProviderProcess start(String name, String zookeeper, Path cacheDir, Duration maxLife) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx96m");
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Djava.net.preferIPv4Stack=true");
        command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ProviderMain.class.getName());
        command.add(zookeeper);
        command.add(cacheDir.toString());
        command.add(Long.toString(maxLife.toSeconds()));
        Path log = Chaos.logs().resolve(name + ".log");
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectOutput(ProcessBuilder.Redirect.PIPE)
                .start();
        // stdin stays an open pipe: the lifeline.
        return new ProviderProcess(name, process, cacheDir);
    }

    String name() {
        return name;
    }

    /** The executions file of this provider. */
    Path executions() {
        return executions(cacheDir);
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /** kill -9: no unregister, no GOAWAY, the sockets reset by the kernel. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        LIVE.remove(this);
    }

    /**
     * Graceful shutdown (unregister, propagation delay, drain); returns the calls the provider still
     * had in flight when its drain ended.
     */
    int shutdownGracefully() throws IOException, InterruptedException {
        OutputStream in = process.getOutputStream();
        in.write("shutdown\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
        String line;
        do {
            line = next(Duration.ofSeconds(30));
        } while (line != null && !line.startsWith("STOPPED ") && !line.equals("EOF"));
        process.waitFor(10, TimeUnit.SECONDS);
        LIVE.remove(this);
        if (line == null || !line.startsWith("STOPPED ")) {
            throw new IOException(name + " did not stop gracefully (said " + line + ")");
        }
        return Integer.parseInt(line.substring(8).trim());
    }

    /** Closes the child's stdin, as the death of the test JVM would. */
    void closeLifeline() throws IOException {
        process.getOutputStream().close();
    }

    /** Waits for the process to end; whether it did. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (exited) {
            LIVE.remove(this);
        }
        return exited;
    }

    private String next(Duration timeout) {
        try {
            return lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LIVE.remove(this);
    }
}
