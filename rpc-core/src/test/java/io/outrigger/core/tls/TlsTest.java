package io.outrigger.core.tls;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.handler.ssl.OpenSsl;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.LogCapture;
import io.outrigger.core.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TlsTest {

    @TempDir
    static Path dir;

    static TestCertificates ca;
    static TestCertificates otherCa;
    static TestCertificates.Issued serverCert;
    static TestCertificates.Issued billing;
    static TestCertificates.Issued stranger;

    final List<AutoCloseable> closeables = new ArrayList<>();
    final List<PeerPrincipal> principals = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void certificates() {
        ca = TestCertificates.create(dir, "Test CA");
        otherCa = TestCertificates.create(dir, "Other CA");
        serverCert = ca.server("echo-server");
        billing = ca.client("billing");
        stranger = otherCa.client("billing");
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = TlsProvider.class,
            names = {"JDK", "OPENSSL"})
    void callsWorkOverTls(TlsProvider provider) {
        RpcServer server = server(TlsConfig.server(serverCert.certificate(), serverCert.privateKey())
                .provider(provider)
                .build());
        EchoService echo = client(
                        server,
                        TlsConfig.client()
                                .trustCertificates(ca.certificate())
                                .provider(provider)
                                .build())
                .refer(EchoService.class);

        assertThat(echo.echo(echoRequest("secret")).getText()).isEqualTo("secret");
        assertThat(principals).hasSize(1).containsOnlyNulls(); // no client certificate, no principal
    }

    @Test
    void openSslIsAvailableInTheBuild() {
        // The optional netty-tcnative dependency is on the test class path; AUTO picks it.
        assertThat(OpenSsl.isAvailable())
                .as("OpenSSL: %s", OpenSsl.unavailabilityCause())
                .isTrue();
    }

    @Test
    void anOpenSslServerAndAJdkClientInteroperate() {
        RpcServer server = server(TlsConfig.server(serverCert.certificate(), serverCert.privateKey())
                .provider(TlsProvider.OPENSSL)
                .trustCertificates(ca.certificate())
                .clientAuth(ClientAuth.REQUIRE)
                .build());
        EchoService echo = client(
                        server,
                        TlsConfig.client()
                                .trustCertificates(ca.certificate())
                                .keyCertificate(billing.certificate(), billing.privateKey())
                                .provider(TlsProvider.JDK)
                                .protocols("TLSv1.2")
                                .build())
                .refer(EchoService.class);

        assertThat(echo.echo(echoRequest("mixed")).getText()).isEqualTo("mixed");
        assertThat(principals.get(0).name()).isEqualTo("billing");
    }

    @Test
    void aPlaintextClientToATlsServerIsToldTheServerRequiresTls() {
        RpcServer server = server(TlsConfig.server(serverCert.certificate(), serverCert.privateKey())
                .build());
        EchoService echo = client(server, (TlsConfig) null).refer(EchoService.class);

        try (LogCapture logs = LogCapture.start()) {
            assertThatThrownBy(() -> echo.echo(echoRequest("hi"))).isInstanceOfSatisfying(RpcException.class, e -> {
                assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.status().description())
                        .contains("requires TLS")
                        .contains("RpcClient.Builder.tls")
                        .contains("not run");
            });
            assertThat(logs.count("refusing plaintext connection from 127.0.0.1"))
                    .isPositive();
        }
    }

    @Test
    void everyCallAPlaintextClientHadInFlightIsToldTheServerRequiresTlsAndWasNotRun() {
        RpcServer server = server(TlsConfig.server(serverCert.certificate(), serverCert.privateKey())
                .build());
        EchoService echo = client(server, (TlsConfig) null).refer(EchoService.class);

        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(echo.echoAsync(echoRequest("hi " + i)).toCompletableFuture());
        }
        for (CompletableFuture<?> call : calls) {
            assertThatThrownBy(call::join)
                    .hasCauseInstanceOf(RpcException.class)
                    .satisfies(e -> {
                        RpcException rpc = (RpcException) e.getCause();
                        assertThat(rpc.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(rpc.status().description())
                                .contains("requires TLS")
                                .containsAnyOf(
                                        "the request was not run", "the request was not sent") // both safe to retry
                                .doesNotContain("may have run");
                    });
        }
    }

    @Test
    void aTlsClientToAPlaintextServerFailsTheHandshakeClearly() {
        RpcServer server = server(null);
        // Captured from before the client exists: it may connect (and be refused) as soon as it
        // learns of the provider, before the first call.
        try (LogCapture logs = LogCapture.start()) {
            EchoService echo = client(
                            server,
                            TlsConfig.client()
                                    .trustCertificates(ca.certificate())
                                    .build())
                    .refer(EchoService.class);
            assertThatThrownBy(() -> echo.echo(echoRequest("hi"))).isInstanceOfSatisfying(RpcException.class, e -> {
                assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.status().description())
                        .contains("TLS handshake with 127.0.0.1:" + server.port() + " failed")
                        .contains("not sent");
            });
            assertThat(logs.count("a TLS handshake; the peer uses TLS")).isPositive();
        }
    }

    @Test
    void aServerCertificateFromAnUntrustedAuthorityIsRefused() {
        TestCertificates.Issued impostor = otherCa.server("echo-server");
        RpcServer server = server(
                TlsConfig.server(impostor.certificate(), impostor.privateKey()).build());
        EchoService echo = client(
                        server,
                        TlsConfig.client().trustCertificates(ca.certificate()).build())
                .refer(EchoService.class);

        assertThatThrownBy(() -> echo.echo(echoRequest("hi"))).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.status().description()).contains("TLS handshake with 127.0.0.1:");
        });
    }

    @ParameterizedTest
    @EnumSource(
            value = TlsProvider.class,
            names = {"JDK", "OPENSSL"})
    void aServerCertificateNotNamingTheAddressIsRefusedUnlessHostnameVerificationIsOff(TlsProvider provider) {
        TestCertificates.Issued elsewhere =
                ca.issue("elsewhere", List.of("elsewhere.example"), List.of("10.9.9.9"), Duration.ofDays(1));
        RpcServer server = server(TlsConfig.server(elsewhere.certificate(), elsewhere.privateKey())
                .build());
        EchoService strict = client(
                        server,
                        TlsConfig.client()
                                .trustCertificates(ca.certificate())
                                .provider(provider)
                                .build())
                .refer(EchoService.class);
        assertThatThrownBy(() -> strict.echo(echoRequest("hi")))
                .isInstanceOfSatisfying(
                        RpcException.class,
                        e -> assertThat(e.status().description()).contains("TLS handshake with 127.0.0.1:"));

        EchoService lenient = client(
                        server,
                        TlsConfig.client()
                                .trustCertificates(ca.certificate())
                                .provider(provider)
                                .verifyHostname(false)
                                .build())
                .refer(EchoService.class);
        assertThat(lenient.echo(echoRequest("ok")).getText()).isEqualTo("ok");
    }

    @ParameterizedTest
    @EnumSource(
            value = TlsProvider.class,
            names = {"JDK", "OPENSSL"})
    void mutualTlsRefusesAClientWithoutACertificate(TlsProvider provider) {
        RpcServer server = server(mtlsServer(provider, ClientAuth.REQUIRE));
        try (LogCapture logs = LogCapture.start()) {
            EchoService echo = client(
                            server,
                            TlsConfig.client()
                                    .trustCertificates(ca.certificate())
                                    .provider(provider)
                                    .build())
                    .refer(EchoService.class);
            assertThatThrownBy(() -> echo.echo(echoRequest("hi"))).isInstanceOfSatisfying(RpcException.class, e -> {
                assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
                // Whatever alert the server's TLS library sends, the message says what to set.
                assertThat(e.status().description())
                        .contains("TlsConfig.client().keyCertificate(chain, key)")
                        .doesNotContain("authority");
            });
            assertThat(logs.count("TLS handshake with 127.0.0.1:")).isPositive();
        }
        assertThat(principals).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(
            value = TlsProvider.class,
            names = {"JDK", "OPENSSL"})
    void mutualTlsAcceptsAClientCertificateAndInterceptorsSeeItsIdentity(TlsProvider provider) {
        RpcServer server = server(mtlsServer(provider, ClientAuth.REQUIRE));
        EchoService echo = client(
                        server,
                        TlsConfig.client()
                                .trustCertificates(ca.certificate())
                                .keyCertificate(billing.certificate(), billing.privateKey())
                                .provider(provider)
                                .build())
                .refer(EchoService.class);

        assertThat(echo.echo(echoRequest("hi")).getText()).isEqualTo("hi");
        assertThat(echo.echo(echoRequest("again")).getText()).isEqualTo("again");

        assertThat(principals).hasSize(2);
        PeerPrincipal peer = principals.get(0);
        assertThat(peer.name()).isEqualTo("billing");
        assertThat(peer.getName()).isEqualTo("billing");
        assertThat(peer.subject()).isEqualTo("CN=billing,O=Outrigger Tests");
        assertThat(peer.subjectAlternativeNames()).containsExactly("spiffe://outrigger.test/billing");
        assertThat(peer.certificate()).isEqualTo(billing.x509());
    }

    @Test
    void mutualTlsRefusesACertificateFromAnUntrustedAuthority() {
        RpcServer server = server(mtlsServer(TlsProvider.AUTO, ClientAuth.REQUIRE));
        EchoService echo = client(
                        server,
                        TlsConfig.client()
                                .trustCertificates(ca.certificate())
                                .keyCertificate(stranger.certificate(), stranger.privateKey())
                                .build())
                .refer(EchoService.class);

        assertThatThrownBy(() -> echo.echo(echoRequest("hi")))
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(principals).isEmpty();
    }

    @Test
    void optionalClientAuthAcceptsBothAndNamesOnlyTheCertifiedCaller() {
        RpcServer server = server(mtlsServer(TlsProvider.AUTO, ClientAuth.OPTIONAL));
        EchoService anonymous = client(
                        server,
                        TlsConfig.client().trustCertificates(ca.certificate()).build())
                .refer(EchoService.class);
        EchoService certified = client(
                        server,
                        TlsConfig.client()
                                .trustCertificates(ca.certificate())
                                .keyCertificate(billing.certificate(), billing.privateKey())
                                .build())
                .refer(EchoService.class);

        assertThat(anonymous.echo(echoRequest("a")).getText()).isEqualTo("a");
        assertThat(certified.echo(echoRequest("b")).getText()).isEqualTo("b");

        assertThat(principals).hasSize(2);
        assertThat(principals.get(0)).isNull();
        assertThat(principals.get(1).name()).isEqualTo("billing");
    }

    @Test
    void changedCertificateFilesAreUsedByNewConnectionsWithoutARestart() throws Exception {
        TestCertificates.Issued live = ca.server("live");
        RpcServer server = server(TlsConfig.server(live.certificate(), live.privateKey())
                .reloadInterval(Duration.ofMillis(20))
                .build());
        TlsConfig trustsOther =
                TlsConfig.client().trustCertificates(otherCa.certificate()).build();
        EchoService before = client(server, trustsOther).refer(EchoService.class);
        assertThatThrownBy(() -> before.echo(echoRequest("hi"))).isInstanceOf(RpcException.class);

        try (LogCapture logs = LogCapture.start()) {
            TestCertificates.replace(live, otherCa.server("live"));
            // A new connection past the reload interval (20 ms) uses the new files: until then, new
            // connections still present the old certificate, which this client does not trust.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                EchoService after = client(server, trustsOther).refer(EchoService.class);
                assertThat(after.echo(echoRequest("rotated")).getText()).isEqualTo("rotated");
            });
            assertThat(logs.count("TLS: reloaded certificates")).isEqualTo(1);
        }
    }

    @Test
    void aKeyThatDoesNotMatchItsCertificateIsRefusedAtBuild() {
        TestCertificates.Issued other = ca.server("other");
        TlsConfig mismatched =
                TlsConfig.server(serverCert.certificate(), other.privateKey()).build();

        assertThatThrownBy(() -> RpcServer.builder()
                        .service(EchoService.class, new EchoServiceImpl())
                        .tls(mismatched)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not belong to the certificate")
                .hasMessageContaining(other.privateKey().toString());
    }

    @Test
    void settingsAreValidatedEagerly() {
        assertThatThrownBy(() -> TlsConfig.server(dir.resolve("missing.crt"), serverCert.privateKey()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("certificateChain: ")
                .hasMessageContaining("missing.crt (expected: an existing PEM file)");
        assertThatThrownBy(() -> TlsConfig.server(serverCert.certificate(), serverCert.privateKey())
                        .clientAuth(ClientAuth.REQUIRE)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("needs trustCertificates");
        assertThatThrownBy(() -> TlsConfig.client().clientAuth(ClientAuth.REQUIRE))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> TlsConfig.client().protocols("TLSv1.1"))
                .hasMessageContaining("TLSv1.1 (expected: TLSv1.3 or TLSv1.2");
        assertThatThrownBy(() -> RpcClient.builder()
                        .tls(TlsConfig.server(serverCert.certificate(), serverCert.privateKey())
                                .build()))
                .hasMessageContaining("a server's settings");
        assertThatThrownBy(() -> RpcServer.builder().tls(TlsConfig.client().build()))
                .hasMessageContaining("a client's settings");
    }

    @Test
    void aPkcs1KeyIsRefusedWithHowToConvertIt() throws Exception {
        Path legacy = dir.resolve("legacy.key");
        java.nio.file.Files.writeString(legacy, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        TlsConfig config = TlsConfig.server(serverCert.certificate(), legacy).build();

        assertThatThrownBy(() -> RpcServer.builder()
                        .service(EchoService.class, new EchoServiceImpl())
                        .tls(config)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("openssl pkcs8 -topk8");
    }

    private TlsConfig mtlsServer(TlsProvider provider, ClientAuth auth) {
        return TlsConfig.server(serverCert.certificate(), serverCert.privateKey())
                .trustCertificates(ca.certificate())
                .clientAuth(auth)
                .provider(provider)
                .build();
    }

    private RpcServer server(TlsConfig tls) {
        RpcServer.Builder b = RpcServer.builder()
                .host("127.0.0.1")
                .service(EchoService.class, new EchoServiceImpl())
                .drainTimeout(Duration.ofSeconds(1))
                .interceptor((request, next) -> {
                    principals.add(request.attributes().get(CallAttributes.PEER_PRINCIPAL));
                    return next.invoke(request);
                });
        if (tls != null) {
            b.tls(tls);
        }
        RpcServer server = b.build().start();
        closeables.add(server);
        return server;
    }

    private RpcClient client(RpcServer server, TlsConfig tls) {
        return client(server, b -> {
            if (tls != null) {
                b.tls(tls);
            }
        });
    }

    private RpcClient client(RpcServer server, Consumer<RpcClient.Builder> customizer) {
        RpcClient.Builder b = RpcClient.builder()
                .registry(StaticRegistry.of(ServiceInstance.builder("test.EchoService", "127.0.0.1", server.port())
                        .build()))
                .defaultTimeout(Duration.ofSeconds(5));
        customizer.accept(b);
        RpcClient client = b.build();
        closeables.add(client);
        return client;
    }
}
