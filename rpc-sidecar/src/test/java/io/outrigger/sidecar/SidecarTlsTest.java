package io.outrigger.sidecar;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import io.outrigger.core.auth.AccessControl;
import io.outrigger.core.auth.TokenVerifier;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.TestCertificates;
import io.outrigger.core.tls.ClientAuth;
import io.outrigger.core.tls.TlsConfig;
import io.outrigger.sidecar.Python.Answer;
import io.outrigger.sidecar.Python.Request;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar's native side with TLS: a python3 caller through sidecars to a Java provider that
 * requires client certificates and checks an allow list, a provider that takes bearer tokens, and a
 * Java caller over mutual TLS to a python app exported by a sidecar.
 */
class SidecarTlsTest {

    static final String ECHO = "/rpc/test.EchoService/echo";
    static final String PROTOBUF = "application/x-protobuf";

    @TempDir
    static Path dir;

    static TestCertificates ca;
    static TestCertificates.Issued providerCert;
    static StaticRegistry mtlsRegistry;
    static RpcServer mtlsProvider;
    static StaticRegistry tokenRegistry;
    static RpcServer tokenProvider;
    static final AtomicReference<String> lastTokenCaller = new AtomicReference<>();

    @BeforeAll
    static void providers() {
        ca = TestCertificates.create(dir, "Sidecar Test CA");
        providerCert = ca.server("provider");
        mtlsRegistry = new StaticRegistry();
        mtlsProvider = RpcServer.builder()
                .host("127.0.0.1")
                .port(0)
                .registry(mtlsRegistry)
                .propagationDelay(Duration.ZERO)
                .tls(TlsConfig.server(providerCert.certificate(), providerCert.privateKey())
                        .trustCertificates(ca.certificate())
                        .clientAuth(ClientAuth.REQUIRE)
                        .build())
                .interceptor(AccessControl.builder()
                        .allow("test.EchoService", "echo", "sidecar-billing")
                        .build())
                .service(EchoService.class, new EchoServiceImpl())
                .build()
                .start();
        tokenRegistry = new StaticRegistry();
        tokenProvider = RpcServer.builder()
                .host("127.0.0.1")
                .port(0)
                .registry(tokenRegistry)
                .propagationDelay(Duration.ZERO)
                .tls(TlsConfig.server(providerCert.certificate(), providerCert.privateKey())
                        .build())
                .interceptor(AccessControl.builder()
                        .tokens(TokenVerifier.of(Map.of("first-token", "first", "second-token", "second")))
                        .allow("test.EchoService", "*", "first", "second")
                        .build())
                .interceptor((request, next) -> {
                    lastTokenCaller.set(request.attributes().get(AccessControl.CALLER));
                    return next.invoke(request);
                })
                .service(EchoService.class, new EchoServiceImpl())
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        mtlsProvider.shutdown(Duration.ofSeconds(2));
        tokenProvider.shutdown(Duration.ofSeconds(2));
    }

    static Sidecar sidecar(StaticRegistry registry, Consumer<SidecarConfig.Builder> settings) {
        SidecarConfig.Builder b = SidecarConfig.builder().http("127.0.0.1:0").defaultTimeout(Duration.ofSeconds(3));
        settings.accept(b);
        return Sidecar.start(b.build(), registry);
    }

    static Answer echo(Sidecar sidecar, String method, String text) throws Exception {
        return Python.call(
                        sidecar.httpPort(),
                        Request.post("/rpc/test.EchoService/" + method, PROTOBUF)
                                .echo(text, 0))
                .get(0);
    }

    @Test
    void aSidecarWithItsClientCertificateCallsTheMutualTlsProvider() throws Exception {
        TestCertificates.Issued billing = ca.client("sidecar-billing");
        try (Sidecar sidecar = sidecar(
                mtlsRegistry,
                b -> b.tlsCa(ca.certificate()).tlsCert(billing.certificate()).tlsKey(billing.privateKey()))) {
            Answer ok = echo(sidecar, "echo", "over mutual TLS");

            assertThat(ok.status()).as(ok.body()).isEqualTo(200);
            assertThat(ok.header("X-Outrigger-Status")).isEqualTo("OK");
            assertThat(ok.replyText()).isEqualTo("over mutual TLS");

            // The allow list names echo only: the provider refuses fail, and the sidecar maps it to 403.
            Answer denied = echo(sidecar, "fail", "x");
            assertThat(denied.status()).isEqualTo(403);
            assertThat(denied.header("X-Outrigger-Status")).isEqualTo("PERMISSION_DENIED");
            assertThat(denied.json("status")).isEqualTo("PERMISSION_DENIED");
            assertThat(denied.json("message"))
                    .isEqualTo("caller 'sidecar-billing' may not call test.EchoService/fail; allowed: nobody");
        }
    }

    @Test
    void aCertificateNotOnTheAllowListIsDenied() throws Exception {
        TestCertificates.Issued intruder = ca.client("intruder");
        try (Sidecar sidecar = sidecar(
                mtlsRegistry,
                b -> b.tlsCa(ca.certificate()).tlsCert(intruder.certificate()).tlsKey(intruder.privateKey()))) {
            Answer denied = echo(sidecar, "echo", "x");

            assertThat(denied.status()).isEqualTo(403);
            assertThat(denied.header("X-Outrigger-Status")).isEqualTo("PERMISSION_DENIED");
            assertThat(denied.json("message")).contains("caller 'intruder'").contains("allowed: sidecar-billing");
        }
    }

    @Test
    void aSidecarWithoutAClientCertificateIsToldWhichFlagsToSet() throws Exception {
        try (Sidecar sidecar = sidecar(mtlsRegistry, b -> b.tlsCa(ca.certificate()))) {
            Answer refused = echo(sidecar, "echo", "x");

            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            assertThat(refused.header("X-Outrigger-Status")).isEqualTo("UNAVAILABLE");
            assertThat(refused.json("message"))
                    .contains("certificate")
                    .contains("start the sidecar with --tls-cert FILE --tls-key FILE")
                    .doesNotContain("TlsConfig");
        }
    }

    @Test
    void aPlaintextSidecarIsToldToTurnTlsOn() throws Exception {
        try (Sidecar sidecar = sidecar(mtlsRegistry, b -> {})) {
            Answer refused = echo(sidecar, "echo", "x");

            assertThat(refused.status()).as(refused.body()).isEqualTo(503);
            assertThat(refused.header("X-Outrigger-Status")).isEqualTo("UNAVAILABLE");
            // rpc-core's hint ("requires TLS ... configure RpcClient.Builder.tls") becomes the flag
            // when the refusal is the answer the caller sees (FlagHintsTest); with failover the last
            // attempt may only see the connection close.
            assertThat(refused.json("message")).doesNotContain("RpcClient.Builder");
        }
    }

    @Test
    void theBearerTokenFileIsSentAndReadAgainWhenItChanges() throws Exception {
        Path token = Files.writeString(dir.resolve("provider-token"), "first-token\n");
        try (Sidecar sidecar =
                sidecar(tokenRegistry, b -> b.tlsCa(ca.certificate()).bearerTokenFile(token))) {
            Answer ok = echo(sidecar, "echo", "with a token");
            assertThat(ok.status()).as(ok.body()).isEqualTo(200);
            assertThat(lastTokenCaller.get()).isEqualTo("first");

            Path next = Files.writeString(dir.resolve("provider-token.tmp"), "second-token\n");
            Files.move(next, token, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(echo(sidecar, "echo", "again").status()).isEqualTo(200);
                assertThat(lastTokenCaller.get()).isEqualTo("second");
            });
        }
    }

    @Test
    void aSidecarWithoutCredentialsIsToldItsOptions() throws Exception {
        try (Sidecar sidecar = sidecar(tokenRegistry, b -> b.tlsCa(ca.certificate()))) {
            Answer refused = echo(sidecar, "echo", "x");

            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.header("X-Outrigger-Status")).isEqualTo("UNAUTHENTICATED");
            assertThat(refused.json("message")).contains("--bearer-token-file FILE");
        }
    }

    @Test
    void aJavaCallerReachesAnExportOverMutualTlsAndTheAllowListApplies() throws Exception {
        TestCertificates.Issued inbound = ca.server("inbound-sidecar");
        TestCertificates.Issued javaCaller = ca.client("java-caller");
        TestCertificates.Issued stranger = ca.client("stranger");
        StaticRegistry registry = new StaticRegistry();
        try (Python.Provider app = Python.Provider.start("tls-app");
                Sidecar sidecar = Sidecar.start(
                        SidecarConfig.builder()
                                .http("127.0.0.1:0")
                                .rpc("127.0.0.1:0")
                                .export("test.EchoService", URI.create(app.url()))
                                .healthInterval(Duration.ofMillis(100))
                                .propagationDelay(Duration.ZERO)
                                .rpcTlsCert(inbound.certificate())
                                .rpcTlsKey(inbound.privateKey())
                                .rpcTlsClientCa(ca.certificate())
                                .rpcAllow("test.EchoService", "echo", List.of("java-caller"))
                                .build(),
                        registry)) {
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> !registry.instances("test.EchoService").isEmpty());

            try (RpcClient client = client(registry, javaCaller)) {
                EchoService echo = client.refer(EchoService.class);
                assertThat(echo.echo(echoRequest("java over TLS")).getText()).isEqualTo("java over TLS");
                assertThatThrownBy(() -> echo.fail(echoRequest("x")))
                        .isInstanceOfSatisfying(
                                RpcException.class,
                                e -> assertThat(e.status().code()).isEqualTo(Status.Code.PERMISSION_DENIED));
            }
            try (RpcClient client = client(registry, stranger)) {
                assertThatThrownBy(() -> client.refer(EchoService.class).echo(echoRequest("x")))
                        .isInstanceOfSatisfying(RpcException.class, e -> {
                            assertThat(e.status().code()).isEqualTo(Status.Code.PERMISSION_DENIED);
                            assertThat(e.status().description()).contains("caller 'stranger'");
                        });
            }
            try (RpcClient client = client(registry, null)) {
                assertThatThrownBy(() -> client.refer(EchoService.class).echo(echoRequest("x")))
                        .isInstanceOfSatisfying(RpcException.class, e -> {
                            assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
                            assertThat(e.status().description()).containsIgnoringCase("certificate");
                        });
            }
        }
    }

    static RpcClient client(StaticRegistry registry, TestCertificates.Issued certificate) {
        TlsConfig.Builder tls = TlsConfig.client().trustCertificates(ca.certificate());
        if (certificate != null) {
            tls.keyCertificate(certificate.certificate(), certificate.privateKey());
        }
        return RpcClient.builder()
                .registry(registry)
                .defaultTimeout(Duration.ofSeconds(5))
                .tls(tls.build())
                .build();
    }
}
