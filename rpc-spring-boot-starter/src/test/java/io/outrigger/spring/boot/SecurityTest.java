package io.outrigger.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.CallAttributes;
import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import io.outrigger.core.auth.AccessControl;
import io.outrigger.core.auth.TokenVerifier;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.TestCertificates;
import io.outrigger.core.tls.PeerPrincipal;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;

/**
 * A provider and consumers configured by properties alone for mutual TLS, access rules, bearer tokens
 * and ZooKeeper ACLs, on 127.0.0.1 with a real ZooKeeper; and the customizer and bean hooks.
 */
class SecurityTest {

    private static final String ADMIN_TOKEN = "admin-7f3c9a";

    @TempDir
    Path dir;

    @Test
    void mutualTlsAccessRulesTokensAndRegistryAclsFromPropertiesAlone() throws Exception {
        TestCertificates ca = TestCertificates.create(dir, "Test CA");
        TestCertificates.Issued server = ca.server("provider");
        TestCertificates.Issued billing = ca.client("billing");
        TestCertificates.Issued ops = ca.client("ops");

        List<String> provider = new ArrayList<>();
        provider.add("outrigger.server.tls.certificate=" + server.certificate());
        provider.add("outrigger.server.tls.private-key=file:" + server.privateKey());
        provider.add("outrigger.server.tls.trust-certificates=" + ca.certificate());
        provider.add("outrigger.server.tls.client-auth=require");
        provider.add("outrigger.server.access-control.tokens[0].identity=admin");
        provider.add("outrigger.server.access-control.tokens[0].token=" + ADMIN_TOKEN);
        provider.add("outrigger.server.access-control.rules[0].service=test.EchoService");
        provider.add("outrigger.server.access-control.rules[0].callers=billing,admin");
        provider.add("outrigger.server.access-control.rules[1].service=test.EchoService");
        provider.add("outrigger.server.access-control.rules[1].method=echoAsync");
        provider.add("outrigger.server.access-control.rules[1].callers=admin");
        provider.add("outrigger.registry.credentials.username=outrigger-test");
        provider.add("outrigger.registry.credentials.password=zk-secret");

        List<String> trusting = List.of("outrigger.client.tls.trust-certificates=" + ca.certificate());
        List<String> billingClient = new ArrayList<>(trusting);
        billingClient.add("outrigger.client.tls.certificate=" + billing.certificate());
        billingClient.add("outrigger.client.tls.private-key=" + billing.privateKey());
        List<String> adminClient = new ArrayList<>(trusting);
        adminClient.add("outrigger.client.tls.certificate=" + ops.certificate());
        adminClient.add("outrigger.client.tls.private-key=" + ops.privateKey());
        adminClient.add("outrigger.client.bearer-token=" + ADMIN_TOKEN);

        try (TestingServer zk = TestApps.zooKeeper();
                ConfigurableApplicationContext p = TestApps.run(SecureProvider.class, props(zk, "p1", provider));
                ConfigurableApplicationContext asBilling =
                        TestApps.run(SecureConsumer.class, props(zk, "billing", billingClient));
                ConfigurableApplicationContext asAdmin =
                        TestApps.run(SecureConsumer.class, props(zk, "admin", adminClient));
                ConfigurableApplicationContext withoutCertificate =
                        TestApps.run(SecureConsumer.class, props(zk, "anonymous", trusting))) {
            CallRecorder seen = p.getBean(CallRecorder.class);

            // mTLS configured by properties alone: the call succeeds, and the server knows who called.
            SecureCaller b = asBilling.getBean(SecureCaller.class);
            assertThat(b.echo("hi")).isEqualTo("hi from p1");
            assertThat(seen.calls).singleElement().satisfies(call -> {
                assertThat(call.method()).isEqualTo("echo");
                assertThat(call.peer()).isEqualTo("billing");
                assertThat(call.caller()).isEqualTo("billing");
            });

            // The rule for echoAsync admits admin only.
            assertThatThrownBy(() -> b.echoAsync("no")).isInstanceOfSatisfying(RpcException.class, e -> {
                assertThat(e.status().code()).isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(e.status().description())
                        .isEqualTo("caller 'billing' may not call test.EchoService/echoAsync; allowed: admin");
            });
            assertThat(seen.calls).hasSize(1);

            // The bearer token from the properties decides over the certificate (CN=ops).
            assertThat(asAdmin.getBean(SecureCaller.class).echoAsync("yes")).isEqualTo("yes from p1");
            assertThat(seen.calls).hasSize(2).last().satisfies(call -> {
                assertThat(call.method()).isEqualTo("echoAsync");
                assertThat(call.peer()).isEqualTo("ops");
                assertThat(call.caller()).isEqualTo("admin");
                // Credentials stop at the access control.
                assertThat(call.authorization()).isNull();
            });

            // A consumer without its client certificate is refused during the handshake.
            SecureCaller anonymous = withoutCertificate.getBean(SecureCaller.class);
            assertThatThrownBy(() -> anonymous.echo("x")).isInstanceOfSatisfying(RpcException.class, e -> {
                assertThat(e.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.status().description())
                        .contains("TLS")
                        .contains("set outrigger.client.tls.certificate and outrigger.client.tls.private-key")
                        .doesNotContain("TlsConfig");
            });
            assertThat(seen.calls).hasSize(2);

            // The provider's nodes carry its digest ACL: readable by all (the consumers found it without
            // credentials), changed only with the credentials.
            try (CuratorFramework plain =
                    CuratorFrameworkFactory.newClient(zk.getConnectString(), new RetryOneTime(100))) {
                plain.start();
                String node = "/outrigger/services/test.EchoService/providers/127.0.0.1:"
                        + p.getBean(OutriggerServer.class).port();
                List<ACL> acl = plain.getACL().forPath(node);
                assertThat(acl).anySatisfy(a -> {
                    assertThat(a.getId().getScheme()).isEqualTo("digest");
                    assertThat(a.getId().getId()).startsWith("outrigger-test:");
                    assertThat(a.getPerms()).isEqualTo(ZooDefs.Perms.ALL);
                });
                assertThat(acl).anySatisfy(a -> {
                    assertThat(a.getId().getScheme()).isEqualTo("world");
                    assertThat(a.getPerms()).isEqualTo(ZooDefs.Perms.READ);
                });
                assertThatThrownBy(() -> plain.delete().forPath(node))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThatThrownBy(() ->
                                plain.create().forPath("/outrigger/services/test.EchoService/providers/10.0.0.1:1"))
                        .isInstanceOf(KeeperException.NoAuthException.class);
                assertThat(plain.checkExists().forPath(node)).isNotNull();
            }
        }
    }

    @Test
    void customizersRunInOrderAndATokenVerifierBeanReplacesTheTokenProperties() throws Exception {
        List<String> provider = new ArrayList<>();
        provider.add("outrigger.server.access-control.rules[0].service=test.EchoService");
        provider.add("outrigger.server.access-control.rules[0].callers=billing");
        List<String> consumer = List.of("outrigger.client.bearer-token=bean-token", "test.customizers=true");
        try (TestingServer zk = TestApps.zooKeeper();
                ConfigurableApplicationContext p = TestApps.run(VerifierProvider.class, props(zk, "p1", provider));
                ConfigurableApplicationContext c = TestApps.run(CustomizedConsumer.class, props(zk, "c", consumer))) {
            assertThat(c.getBean(SecureCaller.class).echo("hi")).isEqualTo("hi from p1");

            CallRecorder seen = p.getBean(CallRecorder.class);
            assertThat(seen.calls).singleElement().satisfies(call -> {
                // The TokenVerifier bean named the caller; no certificate on a plaintext port.
                assertThat(call.caller()).isEqualTo("billing");
                assertThat(call.peer()).isNull();
                // Added by the @Order(1) customizer, then overwritten by the @Order(2) one.
                assertThat(call.tenant()).isEqualTo("second");
            });
            assertThat(c.getBean("customized", List.class)).containsExactly("first", "second");
            assertThat(p.getBean(OutriggerServer.class).accessControl()).isNotNull();
        }
    }

    @Test
    void aRewrittenBearerTokenFileIsSentFromTheNextCallsWithoutARestart() throws Exception {
        Path tokenFile = Files.writeString(dir.resolve("billing.token"), "billing-token-2026-10\n");
        List<String> provider = new ArrayList<>();
        provider.add("outrigger.server.access-control.tokens[0].identity=billing-october");
        provider.add("outrigger.server.access-control.tokens[0].token=billing-token-2026-10");
        provider.add("outrigger.server.access-control.tokens[1].identity=billing-november");
        provider.add("outrigger.server.access-control.tokens[1].token=billing-token-2026-11");
        provider.add("outrigger.server.access-control.rules[0].service=test.EchoService");
        provider.add("outrigger.server.access-control.rules[0].callers=billing-october,billing-november");
        List<String> consumer = List.of("outrigger.client.bearer-token-file=" + tokenFile);
        try (TestingServer zk = TestApps.zooKeeper();
                ConfigurableApplicationContext p = TestApps.run(SecureProvider.class, props(zk, "p1", provider));
                ConfigurableApplicationContext c = TestApps.run(SecureConsumer.class, props(zk, "c", consumer))) {
            CallRecorder seen = p.getBean(CallRecorder.class);
            SecureCaller caller = c.getBean(SecureCaller.class);

            assertThat(caller.echo("old")).isEqualTo("old from p1");
            assertThat(seen.calls).singleElement().satisfies(call -> {
                assertThat(call.caller()).isEqualTo("billing-october");
                assertThat(call.authorization()).isNull();
            });

            // Rotated in place; the client checks the file at most once a second.
            Files.writeString(tokenFile, "billing-token-2026-11\n");
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(100))
                    .untilAsserted(() -> {
                        assertThat(caller.echo("new")).isEqualTo("new from p1");
                        assertThat(seen.calls).last().extracting(Call::caller).isEqualTo("billing-november");
                    });

            // A broken rewrite keeps the last good token: calls go on being accepted as before.
            Files.writeString(tokenFile, "\n");
            long deadline = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            while (System.nanoTime() < deadline) {
                assertThat(caller.echo("still")).isEqualTo("still from p1");
            }
            assertThat(seen.calls).last().extracting(Call::caller).isEqualTo("billing-november");
        }
    }

    private List<String> props(TestingServer zk, String name, List<String> extra) {
        List<String> p = new ArrayList<>(TestApps.common(zk, dir.resolve("cache-" + name)));
        p.add("test.name=" + name);
        p.add("outrigger.server.propagation-delay=0s");
        p.add("outrigger.client.max-attempts=1");
        p.addAll(extra);
        return p;
    }

    /** What the server's last interceptor saw of one call. */
    record Call(String method, String peer, String caller, String authorization, String tenant) {}

    /** A server customizer adding an interceptor that records each call it lets through. */
    static class CallRecorder implements RpcServerBuilderCustomizer {
        final Queue<Call> calls = new ConcurrentLinkedQueue<>();

        @Override
        public void customize(RpcServer.Builder builder) {
            builder.interceptor((request, next) -> {
                PeerPrincipal peer = request.attributes().get(CallAttributes.PEER_PRINCIPAL);
                calls.add(new Call(
                        request.method(),
                        peer == null ? null : peer.name(),
                        request.attributes().get(AccessControl.CALLER),
                        request.metadata().get("authorization"),
                        request.metadata().get("tenant")));
                return next.invoke(request);
            });
        }
    }

    /** A consumer bean calling without a fallback, so failures reach the test. */
    static class SecureCaller {
        private final EchoService echo;

        SecureCaller(@RpcReference(version = "1.*") EchoService echo) {
            this.echo = echo;
        }

        String echo(String text) {
            return echo.echo(EchoRequest.newBuilder().setText(text).build()).getText();
        }

        String echoAsync(String text) {
            try {
                return echo.echoAsync(EchoRequest.newBuilder().setText(text).build())
                        .toCompletableFuture()
                        .join()
                        .getText();
            } catch (java.util.concurrent.CompletionException e) {
                throw (RuntimeException) e.getCause();
            }
        }
    }

    /** Exports the echo service; records calls through a customizer. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({TestApps.Echo.class, CallRecorder.class})
    static class SecureProvider {}

    /** Like {@link SecureProvider}, with tokens verified by a {@code TokenVerifier} bean. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({TestApps.Echo.class, CallRecorder.class})
    static class VerifierProvider {
        @Bean
        TokenVerifier tokenVerifier() {
            return token -> Optional.ofNullable(Map.of("bean-token", "billing").get(token));
        }
    }

    /** Refers to the echo service. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(SecureCaller.class)
    static class SecureConsumer {}

    /** Refers to the echo service through two ordered client customizers (declared out of order). */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(SecureCaller.class)
    static class CustomizedConsumer {
        @Bean
        List<String> customized() {
            return new CopyOnWriteArrayList<>();
        }

        @Bean
        @Order(2)
        RpcClientBuilderCustomizer second(List<String> customized) {
            return builder -> {
                customized.add("second");
                builder.interceptor((request, next) -> next.invoke(request.withHeader("tenant", "second")));
            };
        }

        @Bean
        @Order(1)
        RpcClientBuilderCustomizer first(List<String> customized) {
            return builder -> {
                customized.add("first");
                builder.interceptor((request, next) -> next.invoke(request.withHeader("tenant", "first")));
            };
        }
    }
}
