package io.outrigger.sidecar;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import io.outrigger.core.auth.BearerToken;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.LogCapture;
import io.outrigger.core.testing.TestCertificates;
import io.outrigger.core.tls.TlsConfig;
import io.outrigger.serialization.testing.proto.EchoReply;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Java callers identified by bearer tokens ({@code --rpc-token-file}) calling a python3 app exported
 * by a sidecar over TLS, on 127.0.0.1, with {@code --rpc-allow} deciding who may call what.
 */
class ExportTokensTest {

    static final String FRONTEND_TOKEN = "frontend-5b1e9d";
    static final String STRANGER_TOKEN = "stranger-77c0a4";

    @TempDir
    Path dir;

    @Test
    void tokensFromTheFileIdentifyJavaCallersAndTheAllowListApplies() throws Exception {
        TestCertificates ca = TestCertificates.create(dir, "Export Tokens CA");
        TestCertificates.Issued inbound = ca.server("inbound-sidecar");
        Path tokens = Files.writeString(
                dir.resolve("rpc.tokens"),
                "# identity token\n" + "frontend  " + FRONTEND_TOKEN + "\n\n" + "stranger\t" + STRANGER_TOKEN + "\n");
        StaticRegistry registry = new StaticRegistry();
        try (Python.Provider app = Python.Provider.start("token-app");
                Sidecar sidecar = Sidecar.start(
                        SidecarConfig.parse(
                                "--http", "127.0.0.1:0",
                                "--rpc", "127.0.0.1:0",
                                "--export", "test.EchoService=" + URI.create(app.url()),
                                "--health-interval-ms", "100",
                                "--propagation-delay-ms", "0",
                                "--rpc-tls-cert", inbound.certificate().toString(),
                                "--rpc-tls-key", inbound.privateKey().toString(),
                                "--rpc-token-file", tokens.toString(),
                                "--rpc-allow", "test.EchoService/echo=frontend"),
                        registry)) {
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !registry.instances("test.EchoService").isEmpty());

            try (RpcClient client = client(registry, ca, FRONTEND_TOKEN)) {
                EchoService echo = client.refer(EchoService.class);
                EchoReply reply = echo.echo(echoRequest("with a token"));
                assertThat(reply.getText()).isEqualTo("with a token");
                // The token stops at the sidecar's access control: the app never sees it.
                assertThat(reply.getData().toStringUtf8()).contains("token-app").doesNotContain(FRONTEND_TOKEN);
                // No rule for fail: the token is known, the method is not allowed.
                assertThatThrownBy(() -> echo.fail(echoRequest("x"))).isInstanceOfSatisfying(RpcException.class, e -> {
                    assertThat(e.status().code()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.status().description()).contains("caller 'frontend'");
                });
            }
            try (RpcClient client = client(registry, ca, "not-a-known-token");
                    LogCapture logs = LogCapture.quiet(l -> l.contains("refused"))) {
                assertThatThrownBy(() -> client.refer(EchoService.class).echo(echoRequest("x")))
                        .isInstanceOfSatisfying(RpcException.class, e -> {
                            assertThat(e.status().code()).isEqualTo(Status.Code.UNAUTHENTICATED);
                            assertThat(e.status().description()).contains("bearer token not accepted");
                        });
                assertThat(logs.lines()).noneMatch(l -> l.contains("not-a-known-token"));
            }
            try (RpcClient client = client(registry, ca, STRANGER_TOKEN)) {
                assertThatThrownBy(() -> client.refer(EchoService.class).echo(echoRequest("x")))
                        .isInstanceOfSatisfying(RpcException.class, e -> {
                            assertThat(e.status().code()).isEqualTo(Status.Code.PERMISSION_DENIED);
                            assertThat(e.status().description())
                                    .isEqualTo("caller 'stranger' may not call test.EchoService/echo; allowed:"
                                            + " frontend");
                        });
            }
        }
    }

    @Test
    void aBadTokenFileIsRefusedWhenTheFlagsAreReadNamingTheLine() throws Exception {
        Path oneWord = Files.writeString(dir.resolve("one"), "# comment\nfrontend\n");
        Path shared = Files.writeString(dir.resolve("shared"), "a secret-1\nb secret-1\n");
        Path empty = Files.writeString(dir.resolve("empty"), "# nothing yet\n\n");

        assertThatThrownBy(() -> SidecarConfig.parse("--rpc-token-file", oneWord.toString()))
                .hasMessage("--rpc-token-file: " + oneWord
                        + " line 2: 1 word (expected: IDENTITY TOKEN, separated by spaces)");
        assertThatThrownBy(() -> SidecarConfig.parse("--rpc-token-file", shared.toString()))
                .hasMessageStartingWith("--rpc-token-file: " + shared + " line 2: the same token as line 1")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> SidecarConfig.parse("--rpc-token-file", empty.toString()))
                .hasMessage("--rpc-token-file: " + empty + " holds no IDENTITY TOKEN line");
        assertThatThrownBy(() -> SidecarConfig.parse(
                        "--rpc-token-file", dir.resolve("missing").toString()))
                .hasMessageStartingWith("--rpc-token-file: ")
                .hasMessageContaining("does not exist");
        Path good = Files.writeString(dir.resolve("good"), "frontend " + FRONTEND_TOKEN + "\n");
        assertThatThrownBy(() -> SidecarConfig.parse("--rpc-token-file", good.toString()))
                .hasMessageStartingWith("--rpc-token-file: given without --rpc-allow");
        assertThat(SidecarConfig.parse(
                                "--rpc-token-file", good.toString(), "--rpc-allow", "test.EchoService/*=frontend")
                        .rpcTokenFile())
                .isEqualTo(good);
    }

    static RpcClient client(StaticRegistry registry, TestCertificates ca, String token) {
        return RpcClient.builder()
                .registry(registry)
                .defaultTimeout(Duration.ofSeconds(5))
                .tls(TlsConfig.client().trustCertificates(ca.certificate()).build())
                .interceptor(BearerToken.interceptor(token))
                .build();
    }
}
