package io.outrigger.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.auth.AccessControl;
import io.outrigger.core.testing.TestCertificates;
import io.outrigger.core.tls.ClientAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The security properties bind, and a wrong one stops the application naming it (and never showing a
 * secret).
 */
class SecurityPropertiesTest {

    private static final String SECRET = "s3cret-token-value";

    @TempDir
    Path dir;

    private TestCertificates ca;
    private TestCertificates.Issued server;

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(OutriggerAutoConfiguration.class))
            .withPropertyValues("outrigger.registry.address=static");

    @BeforeEach
    void certificates() {
        ca = TestCertificates.create(dir, "Test CA");
        server = ca.server("server");
    }

    @Test
    void tlsPropertiesBindFromPlainPathsAndFileUrls() {
        runner.withPropertyValues(
                        "outrigger.server.tls.certificate=" + server.certificate(),
                        "outrigger.server.tls.private-key="
                                + server.privateKey().toUri(),
                        "outrigger.server.tls.trust-certificates=file:" + ca.certificate(),
                        "outrigger.server.tls.client-auth=require",
                        "outrigger.server.tls.protocols=TLSv1.3",
                        "outrigger.server.tls.provider=jdk",
                        "outrigger.server.tls.reload-interval=0s",
                        "outrigger.server.tls.handshake-timeout=3s",
                        "outrigger.client.tls.trust-certificates=" + ca.certificate(),
                        "outrigger.client.tls.verify-hostname=false")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    OutriggerProperties p = context.getBean(OutriggerProperties.class);
                    assertThat(p.getServer().getTls().getClientAuth()).isEqualTo(ClientAuth.REQUIRE);
                    assertThat(p.getServer().getTls().getProtocols()).containsExactly("TLSv1.3");
                    assertThat(p.getServer().getTls().getReloadInterval()).isZero();
                    assertThat(p.getServer().getTls().getHandshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
                    // Client TLS is on because trust-certificates is set.
                    assertThat(p.getClient().getTls().isOn()).isTrue();
                    assertThat(p.getClient().getTls().isVerifyHostname()).isFalse();
                });
    }

    @Test
    void missingKeyFileNamesTheProperty() {
        expectFailure(
                "outrigger.server.tls.private-key",
                "does not exist",
                "outrigger.server.tls.certificate=" + server.certificate(),
                "outrigger.server.tls.private-key=" + dir.resolve("nope.key"));
    }

    @Test
    void certificateWithoutKeyNamesTheKeyProperty() {
        expectFailure(
                "outrigger.server.tls.private-key",
                "PKCS#8",
                "outrigger.server.tls.certificate=" + server.certificate());
        expectFailure(
                "outrigger.client.tls.certificate",
                "certificate chain",
                "outrigger.client.tls.private-key=" + server.privateKey());
    }

    @Test
    void clientAuthWithoutTrustCertificatesNamesTrustCertificates() {
        expectFailure(
                "outrigger.server.tls.trust-certificates",
                "client-auth is require",
                "outrigger.server.tls.certificate=" + server.certificate(),
                "outrigger.server.tls.private-key=" + server.privateKey(),
                "outrigger.server.tls.client-auth=require");
    }

    @Test
    void tlsSettingsWithoutACertificateDoNotSilentlyStayPlaintext() {
        expectFailure(
                "outrigger.server.tls.certificate",
                "stays plaintext",
                "outrigger.server.tls.trust-certificates=" + ca.certificate(),
                "outrigger.server.tls.client-auth=optional");
    }

    @Test
    void classpathLocationsAndOldProtocolsAreRefused() {
        expectFailure(
                "outrigger.server.tls.certificate",
                "classpath:",
                "outrigger.server.tls.certificate=classpath:server.crt",
                "outrigger.server.tls.private-key=" + server.privateKey());
        expectFailure(
                "outrigger.client.tls.protocols",
                "TLSv1.3 and/or TLSv1.2",
                "outrigger.client.tls.enabled=true",
                "outrigger.client.tls.protocols=TLSv1.1");
    }

    @Test
    void accessControlEntriesAreCheckedOneByOne() {
        expectFailure(
                "outrigger.server.access-control.rules[1].callers",
                "at least one identity",
                "outrigger.server.access-control.rules[0].service=demo.A",
                "outrigger.server.access-control.rules[0].callers=admin",
                "outrigger.server.access-control.rules[1].service=demo.B");
        expectFailure(
                "outrigger.server.access-control.rules[0].service",
                "a service name",
                "outrigger.server.access-control.rules[0].method=get",
                "outrigger.server.access-control.rules[0].callers=admin");
        expectFailure(
                "outrigger.server.access-control.anonymous[0].method",
                "\"*\" when service is \"*\"",
                "outrigger.server.access-control.anonymous[0].service=*",
                "outrigger.server.access-control.anonymous[0].method=health");
        expectFailure(
                "outrigger.server.access-control.rules",
                "at least one rule when tokens are set",
                "outrigger.server.access-control.tokens[0].identity=admin",
                "outrigger.server.access-control.tokens[0].token=" + SECRET);
    }

    @Test
    void tokensAreNeverShownInMessages() {
        expectFailure(
                "outrigger.server.access-control.tokens[1].token",
                "a token of its own",
                "outrigger.server.access-control.rules[0].service=demo.A",
                "outrigger.server.access-control.rules[0].callers=admin",
                "outrigger.server.access-control.tokens[0].identity=admin",
                "outrigger.server.access-control.tokens[0].token=" + SECRET,
                "outrigger.server.access-control.tokens[1].identity=billing",
                "outrigger.server.access-control.tokens[1].token=" + SECRET);
        expectFailure("outrigger.client.bearer-token", "whitespace", "outrigger.client.bearer-token=" + SECRET + " x");
        expectFailure(
                "outrigger.client.bearer-token-file",
                "not both",
                "outrigger.client.bearer-token=" + SECRET,
                "outrigger.client.bearer-token-file=" + server.certificate());
    }

    @Test
    void bearerTokenFileIsReadAndEmptyOneRefused() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.token"), "\n");
        expectFailure("outrigger.client.bearer-token-file", "is empty", "outrigger.client.bearer-token-file=" + empty);
        Path file = Files.writeString(dir.resolve("billing.token"), SECRET + "\n");
        runner.withPropertyValues("outrigger.client.bearer-token-file=" + file)
                .run(context -> assertThat(context).hasNotFailed());
    }

    @Test
    void registryCredentialsNeedBothHalves() {
        expectFailure(
                "outrigger.registry.credentials.password",
                "the password of outrigger.registry.credentials.username 'orders'",
                "outrigger.registry.credentials.username=orders");
        expectFailure(
                "outrigger.registry.credentials.username",
                "without ':'",
                "outrigger.registry.credentials.username=a:b",
                "outrigger.registry.credentials.password=" + SECRET);
    }

    @Test
    void certificateIdentitiesOffNeedsTokensFromPropertiesOrABean() {
        runner.withPropertyValues(
                        "outrigger.server.access-control.certificate-identities=false",
                        "outrigger.server.access-control.rules[0].service=demo.A",
                        "outrigger.server.access-control.rules[0].callers=admin")
                .run(context -> assertThat(context.getStartupFailure())
                        .rootCause()
                        .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                        .hasMessageContaining("outrigger.server.access-control.certificate-identities")
                        .hasMessageContaining("TokenVerifier bean"));
        runner.withPropertyValues(
                        "outrigger.server.access-control.certificate-identities=false",
                        "outrigger.server.access-control.rules[0].service=demo.A",
                        "outrigger.server.access-control.rules[0].callers=admin")
                .withBean(io.outrigger.core.auth.TokenVerifier.class, () -> token -> java.util.Optional.of("admin"))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(OutriggerServer.class).accessControl())
                            .isNotNull();
                });
    }

    @Test
    void anAccessControlBeanTakesPrecedenceOverTheProperties() {
        runner.withUserConfiguration(OwnAccessControl.class)
                .withPropertyValues(
                        "outrigger.server.access-control.rules[0].service=demo.A",
                        "outrigger.server.access-control.rules[0].callers=admin")
                .run(context -> assertThat(
                                context.getBean(OutriggerServer.class).accessControl())
                        .isSameAs(context.getBean(AccessControl.class)));
        runner.run(context -> assertThat(context.getBean(OutriggerServer.class).accessControl())
                .isNull());
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnAccessControl {
        @Bean
        AccessControl accessControl() {
            return AccessControl.builder().allowAnonymous("*", "*").build();
        }
    }

    private void expectFailure(String name, String expected, String... properties) {
        List<String> p = new ArrayList<>(Arrays.asList(properties));
        runner.withPropertyValues(p.toArray(String[]::new)).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure())
                    .rootCause()
                    .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                    .hasMessageContaining(name)
                    .hasMessageContaining(expected);
            assertThat(context.getStartupFailure()).hasStackTraceContaining(name);
            // Secrets stay out of every message of the chain.
            Throwable t = context.getStartupFailure();
            while (t != null) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(SECRET);
                t = t.getCause();
            }
        });
    }
}
