package io.outrigger.observability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.outrigger.observability.internal.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP endpoint showing a process's live RPC state as JSON, built on the JDK's {@code
 * com.sun.net.httpserver} (no extra dependency). Nothing listens until {@link #start()}: the endpoint
 * is off unless an application (or the sidecar, or the Spring Boot starter) builds and starts one.
 * It binds {@code 127.0.0.1} unless told otherwise.
 *
 * <ul>
 *   <li>{@code GET /health}: {@code {"status": "UP", "checks": {"server": "UP"}}}, HTTP 200 when every
 *       check passes, else {@code "DOWN"} and HTTP 503.
 *   <li>{@code GET /admin}: {@code {"<section>": <content>, ...}} for every {@link AdminSection}.
 *   <li>{@code GET /admin/<section>}: one section's content, or 404.
 * </ul>
 *
 * <pre>{@code
 * AdminServer admin = AdminServer.builder()
 *         .port(9990)
 *         .section(AdminSections.exported(server))
 *         .section(AdminSections.referenced(client))
 *         .section(new AdminSection("rules", rules::current))
 *         .healthCheck("server", () -> server.inFlight() >= 0)
 *         .build()
 *         .start();
 * }</pre>
 *
 * <p>Requests are served one at a time on one daemon thread. Thread-safe.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final String host;
    private final int requestedPort;
    private final Map<String, AdminSection> sections;
    private final Map<String, BooleanSupplier> checks;
    private HttpServer http;
    private ExecutorService executor;

    private AdminServer(Builder b) {
        this.host = b.host;
        this.requestedPort = b.port;
        this.sections = new LinkedHashMap<>(b.sections);
        this.checks = new LinkedHashMap<>(b.checks);
    }

    /** A builder with the defaults: host {@code 127.0.0.1}, port 0 (any free port), no sections. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds and starts serving.
     *
     * @throws IllegalStateException if already started
     * @throws UncheckedIOException if the address cannot be bound
     */
    public synchronized AdminServer start() {
        if (http != null) {
            throw new IllegalStateException("admin server already started");
        }
        try {
            http = HttpServer.create(new InetSocketAddress(host, requestedPort), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind the admin endpoint to " + host + ":" + requestedPort, e);
        }
        executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "outrigger-admin");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.createContext("/health", this::health);
        http.createContext("/admin", this::admin);
        http.start();
        log.info("admin endpoint on http://{}:{}/admin", host, port());
        return this;
    }

    /** The port listened on (the real one when built with port 0). */
    public synchronized int port() {
        if (http == null) {
            throw new IllegalStateException("admin server not started");
        }
        return http.getAddress().getPort();
    }

    /** Stops listening. Idempotent. */
    @Override
    public synchronized void close() {
        if (http != null) {
            http.stop(0);
            executor.shutdownNow();
        }
    }

    private void health(HttpExchange exchange) throws IOException {
        if (!isGet(exchange)) {
            return;
        }
        Map<String, Object> results = new LinkedHashMap<>();
        boolean up = true;
        for (Map.Entry<String, BooleanSupplier> check : checks.entrySet()) {
            String state;
            try {
                state = check.getValue().getAsBoolean() ? "UP" : "DOWN";
            } catch (RuntimeException e) {
                state = "DOWN: " + e;
            }
            up &= state.equals("UP");
            results.put(check.getKey(), state);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "UP" : "DOWN");
        body.put("checks", results);
        send(exchange, up ? 200 : 503, body);
    }

    private void admin(HttpExchange exchange) throws IOException {
        if (!isGet(exchange)) {
            return;
        }
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/admin") || path.equals("/admin/")) {
            Map<String, Object> body = new LinkedHashMap<>();
            for (AdminSection section : sections.values()) {
                body.put(section.name(), render(section));
            }
            send(exchange, 200, body);
            return;
        }
        AdminSection section = sections.get(path.substring("/admin/".length()));
        if (section == null) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", "no section " + path + "; sections: " + new ArrayList<>(sections.keySet()));
            send(exchange, 404, body);
            return;
        }
        send(exchange, 200, render(section));
    }

    private static Object render(AdminSection section) {
        try {
            return section.content().get();
        } catch (RuntimeException e) {
            return Map.of("error", String.valueOf(e));
        }
    }

    private static boolean isGet(HttpExchange exchange) throws IOException {
        if (exchange.getRequestMethod().equals("GET")) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", "GET");
        send(exchange, 405, Map.of("error", exchange.getRequestMethod() + " not allowed (expected: GET)"));
        return false;
    }

    private static void send(HttpExchange exchange, int code, Object body) throws IOException {
        byte[] bytes = (Json.write(body) + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Builds an {@link AdminServer}. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private final Map<String, AdminSection> sections = new LinkedHashMap<>();
        private final Map<String, BooleanSupplier> checks = new LinkedHashMap<>();

        private Builder() {}

        /**
         * The address to bind. Default {@code 127.0.0.1}: the state shown is for operators on the
         * machine; bind another address only behind a firewall.
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port; 0 picks a free one (see {@link AdminServer#port()}). Default 0. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
            }
            this.port = port;
            return this;
        }

        /** Adds a section shown by {@code GET /admin}. */
        public Builder section(AdminSection section) {
            Objects.requireNonNull(section, "section");
            if (sections.putIfAbsent(section.name(), section) != null) {
                throw new IllegalArgumentException("section " + section.name() + " is added twice");
            }
            return this;
        }

        /** Adds sections, as by {@link #section(AdminSection)}. */
        public Builder sections(List<AdminSection> sections) {
            sections.forEach(this::section);
            return this;
        }

        /**
         * Adds a health check: {@code GET /health} is UP while every check returns {@code true}
         * (a check that throws counts as DOWN). With no checks, the process is UP while it answers.
         */
        public Builder healthCheck(String name, BooleanSupplier up) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(up, "up");
            if (checks.putIfAbsent(name, up) != null) {
                throw new IllegalArgumentException("health check " + name + " is added twice");
            }
            return this;
        }

        /** The admin server, not started yet. */
        public AdminServer build() {
            return new AdminServer(this);
        }
    }
}
