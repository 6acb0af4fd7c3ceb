package io.outrigger.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.ServerExtension;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AdminServerTest {

    @RegisterExtension
    final ServerExtension server = new ServerExtension(b -> b.service(EchoService.class, new EchoServiceImpl()));

    final HttpClient http = HttpClient.newHttpClient();
    AdminServer admin;

    record BreakerState(String name, String state, double failureRate) {}

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close();
        }
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersWithTheLiveState() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        AtomicReference<Map<String, Object>> rules =
                new AtomicReference<>(Map.of("test.EchoService", Map.of("timeout_ms", 200)));
        admin = AdminServer.builder()
                .section(AdminSections.exported(server.server()))
                .section(AdminSections.referenced(server.client(), service -> "file-cache"))
                .section(new AdminSection("rules", rules::get))
                .section(new AdminSection(
                        "breakers", () -> List.of(new BreakerState("test.EchoService", "CLOSED", 0.0))))
                .healthCheck("server", healthy::get)
                .build()
                .start();

        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.headers().firstValue("Content-Type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(health.body()).contains("\"status\": \"UP\"", "\"server\": \"UP\"");

        // Before any call, the client references nothing.
        assertThat(get("/admin/referenced").body()).isEqualTo("{}\n");

        server.client()
                .refer(EchoService.class)
                .echo(EchoRequest.newBuilder().setText("x").build());
        String state = get("/admin").body();
        assertThat(state)
                .contains(
                        "\"exported\": {", "\"port\": " + server.port(), "\"services\": [\n      \"test.EchoService\"")
                .contains("\"referenced\": {", "\"source\": \"file-cache\"")
                .contains("\"id\": \"127.0.0.1:" + server.port() + "\"", "\"available\": true")
                .contains("\"timeout_ms\": 200")
                .contains("\"name\": \"test.EchoService\"", "\"state\": \"CLOSED\"", "\"failureRate\": 0.0");

        // Live: the next request sees changed state.
        rules.set(Map.of("test.EchoService", Map.of("timeout_ms", 900)));
        healthy.set(false);
        assertThat(get("/admin/rules").body()).contains("\"timeout_ms\": 900").doesNotContain("exported");
        HttpResponse<String> down = get("/health");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(down.body()).contains("\"status\": \"DOWN\"");

        assertThat(get("/admin/nothing").statusCode()).isEqualTo(404);
        HttpResponse<String> post = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/admin"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void aFailingSectionOrCheckDoesNotBreakTheEndpoint() throws Exception {
        admin = AdminServer.builder()
                .section(new AdminSection("bad", () -> {
                    throw new IllegalStateException("registry closed");
                }))
                .healthCheck("registry", () -> {
                    throw new IllegalStateException("no session");
                })
                .build()
                .start();
        assertThat(get("/admin").body()).contains("\"bad\": {", "registry closed");
        HttpResponse<String> health = get("/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("no session");
    }

    @Test
    void bindsLoopbackByDefaultAndValidatesEagerly() {
        admin = AdminServer.builder().build().start();
        assertThat(admin.port()).isPositive();
        assertThatThrownBy(() -> admin.start()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new AdminSection("Bad Name", () -> 1)).hasMessageContaining("expected: [a-z0-9_-]+");
        assertThatThrownBy(() -> AdminServer.builder().port(70000)).hasMessageContaining("expected: 0..65535");
    }
}
