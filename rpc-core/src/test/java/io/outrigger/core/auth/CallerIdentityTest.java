package io.outrigger.core.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.CallContext;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.service.ServiceDescriptor;
import io.outrigger.core.testing.HopService;
import io.outrigger.core.testing.LeakDetectionExtension;
import io.outrigger.core.testing.TestCertificates;
import io.outrigger.core.tls.ClientAuth;
import io.outrigger.core.tls.TlsConfig;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** A typed service reads who calls it: the certificate's identity, the bearer token's. */
@ExtendWith(LeakDetectionExtension.class)
class CallerIdentityTest {

    @TempDir
    static Path dir;

    static TestCertificates ca;
    static RpcServer server;

    /** Answers with what its context says about the caller. */
    static final class Who implements HopService {
        @Override
        public EchoReply hop(EchoRequest request, CallContext context) {
            String peer = context.peerPrincipal() == null
                    ? "-"
                    : context.peerPrincipal().name();
            return EchoReply.newBuilder()
                    .setText(context.caller() + " " + peer + " "
                            + context.remoteAddress().startsWith("127.0.0.1:") + " " + context.fullMethodName())
                    .build();
        }

        @Override
        public CompletionStage<EchoReply> hopAsync(EchoRequest request, CallContext context) {
            return CompletableFuture.completedFuture(hop(request, context));
        }
    }

    @BeforeAll
    static void start() {
        ca = TestCertificates.create(dir, "Identity CA");
        TestCertificates.Issued serverCert = ca.server("server");
        server = RpcServer.builder()
                .host("127.0.0.1")
                .service(ServiceDescriptor.of(HopService.class).withName("test.Who"), new Who())
                .tls(TlsConfig.server(serverCert.certificate(), serverCert.privateKey())
                        .trustCertificates(ca.certificate())
                        .clientAuth(ClientAuth.OPTIONAL)
                        .build())
                .interceptor(AccessControl.builder()
                        .tokens(TokenVerifier.of(Map.of("tok-1", "reports")))
                        .allow("test.Who", "*", "*")
                        .build())
                .drainTimeout(Duration.ofSeconds(1))
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        server.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void aCertificateCallerIsSeenByItsCertificate() {
        TestCertificates.Issued billing = ca.client("billing");
        try (RpcClient client = client(TlsConfig.client()
                .trustCertificates(ca.certificate())
                .keyCertificate(billing.certificate(), billing.privateKey()))) {
            String seen =
                    who(client).hop(EchoRequest.getDefaultInstance(), null).getText();

            assertThat(seen).isEqualTo("billing billing true test.Who/hop");
        }
    }

    @Test
    void aTokenCallerIsSeenByItsToken() {
        try (RpcClient client =
                client(TlsConfig.client().trustCertificates(ca.certificate()), BearerToken.interceptor("tok-1"))) {
            String seen = who(client)
                    .hopAsync(EchoRequest.getDefaultInstance(), null)
                    .toCompletableFuture()
                    .join()
                    .getText();

            assertThat(seen).isEqualTo("reports - true test.Who/hopAsync");
        }
    }

    private static HopService who(RpcClient client) {
        return client.reference(HopService.class).serviceName("test.Who").build();
    }

    private static RpcClient client(TlsConfig.Builder tls, io.outrigger.core.Interceptor... interceptors) {
        RpcClient.Builder b = RpcClient.builder()
                .registry(StaticRegistry.of(ServiceInstance.builder("test.Who", "127.0.0.1", server.port())
                        .build()))
                .tls(tls.build());
        for (io.outrigger.core.Interceptor i : interceptors) {
            b.interceptor(i);
        }
        return b.build();
    }
}
