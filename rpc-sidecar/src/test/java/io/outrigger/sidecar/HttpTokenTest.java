package io.outrigger.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.LogCapture;
import io.outrigger.sidecar.Python.Answer;
import io.outrigger.sidecar.Python.Request;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --http-token-file}: a python3 caller without, with a wrong and with the right token. */
class HttpTokenTest {

    static final String ECHO = "/rpc/test.EchoService/echo";
    static final String PROTOBUF = "application/x-protobuf";
    static final String TOKEN = "9f2c7d0e-http-token";

    @TempDir
    static Path dir;

    static Path tokenFile;
    static StaticRegistry registry;
    static RpcServer provider;
    static Sidecar sidecar;
    static LogCapture logs;

    @BeforeAll
    static void start() throws Exception {
        logs = LogCapture.start();
        tokenFile = Files.writeString(dir.resolve("http-token"), TOKEN + "\n");
        registry = new StaticRegistry();
        provider = RpcServer.builder()
                .host("127.0.0.1")
                .port(0)
                .registry(registry)
                .propagationDelay(Duration.ZERO)
                .service(EchoService.class, new EchoServiceImpl())
                .build()
                .start();
        sidecar = Sidecar.start(
                SidecarConfig.builder()
                        .http("127.0.0.1:0")
                        .httpTokenFile(tokenFile)
                        .build(),
                registry);
    }

    @AfterAll
    static void stop() {
        sidecar.close();
        provider.shutdown(Duration.ofSeconds(2));
        try {
            assertThat(String.join("\n", logs.lines()))
                    .as("the token is never logged")
                    .doesNotContain("9f2c7d0e");
        } finally {
            logs.close();
        }
    }

    static Request echo(String text) {
        return Request.post(ECHO, PROTOBUF).echo(text, 0);
    }

    @Test
    void withoutTheRightTokenEveryPathButHealthIsRefused() throws Exception {
        List<Answer> answers = Python.call(
                sidecar.httpPort(),
                echo("no token"),
                echo("wrong token").header("Authorization", "Bearer not-the-token"),
                echo("prefix").header("Authorization", "Bearer " + TOKEN.substring(0, 10)),
                echo("not bearer").header("Authorization", "Basic " + TOKEN),
                Request.get("/admin"),
                Request.get("/no/such/path"),
                Request.get("/health"));

        for (Answer a : answers.subList(0, 6)) {
            assertThat(a.status()).as(a.body()).isEqualTo(401);
            assertThat(a.header("X-Outrigger-Status")).isEqualTo("UNAUTHENTICATED");
            assertThat(a.header("WWW-Authenticate")).isEqualTo("Bearer");
            assertThat(a.header("Content-Type")).isEqualTo("application/json");
            assertThat(a.json("status")).isEqualTo("UNAUTHENTICATED");
            assertThat(a.body()).doesNotContain(TOKEN.substring(0, 10));
        }
        assertThat(answers.get(0).json("message"))
                .isEqualTo("this sidecar requires a token: send 'Authorization: Bearer <token>' with the token of its"
                        + " --http-token-file");
        assertThat(answers.get(1).json("message")).startsWith("wrong token");
        assertThat(answers.get(3).json("message")).isEqualTo("the Authorization header is not 'Bearer <token>'");
        assertThat(answers.get(6).status()).isEqualTo(200);
        assertThat(answers.get(6).body()).isEqualTo("{\"status\":\"UP\"}");
    }

    @Test
    void theRightTokenCalls() throws Exception {
        List<Answer> answers = Python.call(
                sidecar.httpPort(),
                echo("with the token").header("Authorization", "Bearer " + TOKEN),
                echo("scheme in any case").header("Authorization", "bearer " + TOKEN),
                Request.get("/admin").header("Authorization", "Bearer " + TOKEN));

        assertThat(answers.get(0).status()).as(answers.get(0).body()).isEqualTo(200);
        assertThat(answers.get(0).replyText()).isEqualTo("with the token");
        assertThat(answers.get(1).status()).isEqualTo(200);
        assertThat(answers.get(2).status()).isEqualTo(200);
        assertThat(answers.get(2).body()).contains("\"services\"");
    }

    @Test
    void aNewTokenFileReplacesTheOldTokenWithoutARestart() throws Exception {
        String rotated = "rotated-" + TOKEN;
        Path tmp = Files.writeString(dir.resolve("http-token.tmp"), rotated + "\n");
        Files.move(tmp, tokenFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try {
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(Python.call(
                                            sidecar.httpPort(),
                                            echo("rotated").header("Authorization", "Bearer " + rotated))
                                    .get(0)
                                    .status())
                            .isEqualTo(200));
            assertThat(Python.call(sidecar.httpPort(), echo("old").header("Authorization", "Bearer " + TOKEN))
                            .get(0)
                            .status())
                    .isEqualTo(401);
        } finally {
            Path back = Files.writeString(dir.resolve("http-token.tmp"), TOKEN + "\n");
            Files.move(back, tokenFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(Python.call(
                                            sidecar.httpPort(), echo("back").header("Authorization", "Bearer " + TOKEN))
                                    .get(0)
                                    .status())
                            .isEqualTo(200));
        }
    }
}
