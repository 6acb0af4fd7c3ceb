package io.outrigger.core.auth;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.core.Interceptor;
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
import io.outrigger.core.tls.ClientAuth;
import io.outrigger.core.tls.TlsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Authentication and authorization over real sockets, with mutual TLS (OPTIONAL, so tokens work too). */
class AccessControlTest {

    static final String ADMIN_TOKEN = "adm-7f3a9c";
    static final String BILLING_TOKEN = "bil-22d1e0";

    @TempDir
    static Path dir;

    static TestCertificates ca;
    static RpcServer server;
    static final List<String> seenCallers = new CopyOnWriteArrayList<>();
    static final List<String> seenAuthorization = new CopyOnWriteArrayList<>();

    final List<RpcClient> clients = new ArrayList<>();

    @BeforeAll
    static void start() {
        ca = TestCertificates.create(dir, "ACL CA");
        TestCertificates.Issued serverCert = ca.server("server");
        AccessControl acl = AccessControl.builder()
                .tokens(TokenVerifier.of(Map.of(ADMIN_TOKEN, "admin", BILLING_TOKEN, "billing")))
                .allow("test.EchoService", "*", "admin", "billing")
                .allow("test.EchoService", "fail", "admin")
                .allowAnonymous("test.EchoService", "echoAsync")
                .build();
        // Runs after the access control: what a service would see.
        Interceptor probe = (request, next) -> {
            seenCallers.add(String.valueOf(request.attributes().get(AccessControl.CALLER)));
            seenAuthorization.add(String.valueOf(request.metadata().get("authorization")));
            return next.invoke(request);
        };
        server = RpcServer.builder()
                .host("127.0.0.1")
                .service(EchoService.class, new EchoServiceImpl())
                .service("test.Unlisted", request -> {
                    throw new AssertionError("must not be reached");
                })
                .tls(TlsConfig.server(serverCert.certificate(), serverCert.privateKey())
                        .trustCertificates(ca.certificate())
                        .clientAuth(ClientAuth.OPTIONAL)
                        .build())
                .interceptor(acl)
                .interceptor(probe)
                .drainTimeout(Duration.ofSeconds(1))
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
    }

    @AfterEach
    void closeClients() {
        clients.forEach(RpcClient::close);
        seenCallers.clear();
        seenAuthorization.clear();
    }

    @Test
    void aCallWithoutCredentialsIsUnauthenticated() {
        EchoService echo = echo(null, null);

        assertThatThrownBy(() -> echo.echo(echoRequest("hi"))).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.status().code()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.status().description())
                    .isEqualTo(
                            "no credentials: send a client certificate or an 'authorization: Bearer ...'" + " header");
        });
        assertThat(seenCallers).isEmpty();
    }

    @Test
    void anUnknownTokenIsUnauthenticated() {
        EchoService echo = echo("guessed", null);

        assertThatThrownBy(() -> echo.echo(echoRequest("hi"))).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.status().code()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.status().description()).contains("bearer token not accepted");
        });
    }

    @Test
    void aMalformedAuthorizationHeaderIsUnauthenticated() {
        EchoService echo = client(
                        (TestCertificates.Issued) null,
                        b -> b.interceptor((request, next) ->
                                next.invoke(request.withHeader("authorization", "Basic YWRtaW46YWRtaW4="))))
                .refer(EchoService.class);

        assertThatThrownBy(() -> echo.echo(echoRequest("hi"))).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.status().code()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.status().description()).contains("is not 'Bearer <token>'");
        });
    }

    @Test
    void aTokenCallerMayCallWhatItsRulesAllowAndIsDeniedTheRest() {
        EchoService billing = echo(BILLING_TOKEN, null);

        assertThat(billing.echo(echoRequest("hi")).getText()).isEqualTo("hi");
        assertThatThrownBy(() -> billing.fail(echoRequest("boom"))).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.status().code()).isEqualTo(Status.Code.PERMISSION_DENIED);
            assertThat(e.status().description())
                    .isEqualTo("caller 'billing' may not call test.EchoService/fail; allowed: admin");
        });
    }

    @Test
    void theMethodRuleLetsItsCallersThrough() {
        EchoService admin = echo(ADMIN_TOKEN, null);

        // Reaches the service, which throws: INTERNAL, not PERMISSION_DENIED.
        assertThatThrownBy(() -> admin.fail(echoRequest("boom")))
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.status().code()).isEqualTo(Status.Code.INTERNAL));
        assertThat(seenCallers).containsExactly("admin");
    }

    @Test
    void theServiceSeesTheCallerButNotTheToken() {
        EchoService billing = echo(BILLING_TOKEN, null);

        billing.echo(echoRequest("hi"));

        assertThat(seenCallers).containsExactly("billing");
        assertThat(seenAuthorization).containsExactly("null");
    }

    @Test
    void aClientCertificateIdentifiesTheCaller() {
        TestCertificates.Issued cert = ca.client("billing");
        EchoService billing = echo(null, cert);

        assertThat(billing.echo(echoRequest("hi")).getText()).isEqualTo("hi");
        assertThat(seenCallers).containsExactly("billing");
        assertThatThrownBy(() -> billing.fail(echoRequest("boom")))
                .isInstanceOfSatisfying(
                        RpcException.class,
                        e -> assertThat(e.status().description())
                                .isEqualTo("caller 'billing' may not call test.EchoService/fail; allowed: admin"));
    }

    @Test
    void aTokenTakesPrecedenceOverTheCertificate() {
        EchoService echo = echo(ADMIN_TOKEN, ca.client("billing"));

        assertThatThrownBy(() -> echo.fail(echoRequest("boom")))
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.status().code()).isEqualTo(Status.Code.INTERNAL));
        assertThat(seenCallers).containsExactly("admin");
    }

    @Test
    void aCertifiedCallerWithABadTokenIsStillRefused() {
        EchoService echo = echo("stolen-or-stale", ca.client("admin"));

        assertThatThrownBy(() -> echo.echo(echoRequest("hi")))
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.status().code()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    @Test
    void aServiceWithoutRulesIsDeniedToEveryone() {
        RpcClient client = tokenClient(ADMIN_TOKEN, b -> {});
        var invoker = client.invoker("test.Unlisted");

        var response = invoker.invoke(io.outrigger.core.RpcRequest.of(
                                "test.Unlisted", "anything", io.outrigger.core.Payload.encoded((byte) 1, new byte[0]))
                        .withDeadline(io.outrigger.core.Deadline.after(Duration.ofSeconds(5))))
                .toCompletableFuture()
                .join();

        assertThat(response.status().code()).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(response.status().description())
                .isEqualTo("caller 'admin' may not call test.Unlisted/anything; allowed: nobody");
    }

    @Test
    void anAnonymousMethodNeedsNoCredentials() throws Exception {
        EchoService anonymous = echo(null, null);

        assertThat(anonymous
                        .echoAsync(echoRequest("open"))
                        .toCompletableFuture()
                        .get()
                        .getText())
                .isEqualTo("open");
        assertThat(seenCallers).containsExactly("null");
    }

    @Test
    void refusalsAreLoggedWithTheCallerAndAddress() {
        EchoService billing = echo(BILLING_TOKEN, null);
        try (LogCapture logs = LogCapture.start()) {
            assertThatThrownBy(() -> billing.fail(echoRequest("boom"))).isInstanceOf(RpcException.class);
            assertThat(logs.lines())
                    .anyMatch(l -> l.contains("refused test.EchoService/fail from 127.0.0.1:")
                            && l.contains("(caller 'billing'): PERMISSION_DENIED"));
        }
    }

    @Test
    void refusalLogsAreRateLimited() {
        EchoService nobody = echo(null, null);
        try (LogCapture logs = LogCapture.quiet(l -> l.contains("refused"))) {
            for (int i = 0; i < 50; i++) {
                assertThatThrownBy(() -> nobody.echo(echoRequest("x"))).isInstanceOf(RpcException.class);
            }
            assertThat(logs.count("refused test.EchoService/echo")).isBetween(1L, 20L);
        }
    }

    @Test
    void tokenVerifierOfAMapAnswersOnlyItsTokens() {
        TokenVerifier verifier = TokenVerifier.of(Map.of("t1", "alice"));

        assertThat(verifier.verify("t1")).contains("alice");
        assertThat(verifier.verify("t2")).isEmpty();
        assertThat(verifier.verify("")).isEmpty();
        assertThatThrownBy(() -> TokenVerifier.of(Map.of("", "x"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void buildersValidateEagerly() {
        assertThatThrownBy(() -> AccessControl.builder().allow("svc", "m")).hasMessageContaining("identities: none");
        assertThatThrownBy(() -> AccessControl.builder().allow("*", "m", "x"))
                .hasMessageContaining("expected: method \"*\" with service \"*\"");
        assertThatThrownBy(() -> AccessControl.builder().allow("svc", "a/b", "x"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AccessControl.builder().ignoreCertificates().build())
                .hasMessageContaining("no way to identify callers");
        assertThatThrownBy(() -> BearerToken.interceptor("two words")).hasMessageContaining("whitespace");
        assertThatThrownBy(() -> BearerToken.interceptor("")).hasMessageContaining("empty");
    }

    @Test
    void aTokenSupplierWithoutATokenFailsTheCallWithoutSendingIt() {
        EchoService echo = client(
                        (TestCertificates.Issued) null, b -> b.interceptor(BearerToken.interceptor(() -> null)))
                .refer(EchoService.class);

        assertThatThrownBy(() -> echo.echo(echoRequest("x"))).isInstanceOfSatisfying(RpcException.class, e -> {
            assertThat(e.status().code()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.status().description()).contains("no token to send").contains("not sent");
        });
    }

    @Test
    void bearerTokenParsing() {
        assertThat(BearerToken.parse("Bearer abc")).isEqualTo("abc");
        assertThat(BearerToken.parse("bearer abc")).isEqualTo("abc");
        assertThat(BearerToken.parse("Bearer ")).isNull();
        assertThat(BearerToken.parse("Basic abc")).isNull();
        assertThat(BearerToken.parse("")).isNull();
    }

    private EchoService echo(String token, TestCertificates.Issued certificate) {
        return client(certificate, b -> {
                    if (token != null) {
                        b.interceptor(BearerToken.interceptor(token));
                    }
                })
                .refer(EchoService.class);
    }

    private RpcClient tokenClient(String token, java.util.function.Consumer<RpcClient.Builder> customizer) {
        return client((TestCertificates.Issued) null, b -> {
            b.interceptor(BearerToken.interceptor(token));
            customizer.accept(b);
        });
    }

    private RpcClient client(
            TestCertificates.Issued certificate, java.util.function.Consumer<RpcClient.Builder> customizer) {
        TlsConfig.Builder tls = TlsConfig.client().trustCertificates(ca.certificate());
        if (certificate != null) {
            tls.keyCertificate(certificate.certificate(), certificate.privateKey());
        }
        RpcClient.Builder b = RpcClient.builder()
                .registry(StaticRegistry.of(
                        ServiceInstance.builder("test.EchoService", "127.0.0.1", server.port())
                                .build(),
                        ServiceInstance.builder("test.Unlisted", "127.0.0.1", server.port())
                                .build()))
                .tls(tls.build());
        customizer.accept(b);
        RpcClient client = b.build();
        clients.add(client);
        return client;
    }
}
