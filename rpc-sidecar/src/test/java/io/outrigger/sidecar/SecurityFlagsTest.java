package io.outrigger.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The security flags and config keys: what they set, and the mistakes they name. */
class SecurityFlagsTest {

    @TempDir
    Path dir;

    Path ca;
    Path cert;
    Path key;
    Path token;

    @BeforeEach
    void files() throws Exception {
        // Parsing checks that files exist and tokens are usable; PEM contents are checked when TLS starts.
        ca = Files.writeString(dir.resolve("ca.crt"), "ca");
        cert = Files.writeString(dir.resolve("a.crt"), "cert");
        key = Files.writeString(dir.resolve("a.key"), "key");
        token = Files.writeString(dir.resolve("token"), "  s3cret-token\n");
    }

    @Test
    void everySecurityFlagIsRead() {
        SidecarConfig c = SidecarConfig.parse(
                "--tls-ca",
                ca.toString(),
                "--tls-cert",
                cert.toString(),
                "--tls-key",
                key.toString(),
                "--bearer-token-file",
                token.toString(),
                "--rpc-tls-cert",
                cert.toString(),
                "--rpc-tls-key=" + key,
                "--rpc-tls-client-ca",
                ca.toString(),
                "--rpc-allow",
                "demo.Greeter/*=billing, ops",
                "--rpc-allow",
                "demo.Greeter/greet=admin",
                "--rpc-allow",
                "demo.Greeter/*=audit",
                "--http-token-file",
                token.toString());

        assertThat(c.tlsCa()).isEqualTo(ca);
        assertThat(c.tlsCert()).isEqualTo(cert);
        assertThat(c.tlsKey()).isEqualTo(key);
        assertThat(c.bearerTokenFile()).isEqualTo(token);
        assertThat(c.rpcTlsCert()).isEqualTo(cert);
        assertThat(c.rpcTlsKey()).isEqualTo(key);
        assertThat(c.rpcTlsClientCa()).isEqualTo(ca);
        assertThat(c.rpcAllow())
                .isEqualTo(Map.of(
                        "demo.Greeter/*", List.of("billing", "ops", "audit"), "demo.Greeter/greet", List.of("admin")));
        assertThat(c.httpTokenFile()).isEqualTo(token);
    }

    @Test
    void theConfigFileHasTheSameKeys() throws Exception {
        Path file = dir.resolve("sidecar.properties");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "tls-ca = " + ca,
                        "tls-cert = " + cert,
                        "tls-key = " + key,
                        "bearer-token-file = " + token,
                        "rpc-tls-cert = " + cert,
                        "rpc-tls-key = " + key,
                        "rpc-tls-client-ca = " + ca,
                        "rpc-allow.demo.Greeter/greet = billing,ops",
                        "http-token-file = " + token));

        SidecarConfig c = SidecarConfig.parse("--config", file.toString());

        assertThat(c.tlsCa()).isEqualTo(ca);
        assertThat(c.tlsKey()).isEqualTo(key);
        assertThat(c.bearerTokenFile()).isEqualTo(token);
        assertThat(c.rpcTlsClientCa()).isEqualTo(ca);
        assertThat(c.rpcAllow()).isEqualTo(Map.of("demo.Greeter/greet", List.of("billing", "ops")));
        assertThat(c.httpTokenFile()).isEqualTo(token);
    }

    @Test
    void missingFilesNameTheFlag() {
        String missing = dir.resolve("nope.pem").toString();
        for (String flag : List.of(
                "--tls-ca",
                "--tls-cert",
                "--tls-key",
                "--bearer-token-file",
                "--rpc-tls-cert",
                "--rpc-tls-key",
                "--rpc-tls-client-ca",
                "--http-token-file")) {
            assertThatThrownBy(() -> SidecarConfig.parse(flag, missing))
                    .as(flag)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(flag + ": ")
                    .hasMessageContaining("nope.pem does not exist");
        }
    }

    @Test
    void halfACertificateIsRefused() {
        assertThatThrownBy(() -> SidecarConfig.parse("--tls-key", key.toString()))
                .hasMessage("--tls-key: given without --tls-cert (expected: both, the certificate chain and its"
                        + " private key)");
        assertThatThrownBy(() -> SidecarConfig.parse("--tls-cert", cert.toString()))
                .hasMessageStartingWith("--tls-cert: given without --tls-key");
        assertThatThrownBy(() -> SidecarConfig.parse("--rpc-tls-key", key.toString()))
                .hasMessageStartingWith("--rpc-tls-key: given without --rpc-tls-cert");
        assertThatThrownBy(() -> SidecarConfig.parse("--rpc-tls-client-ca", ca.toString()))
                .hasMessageStartingWith("--rpc-tls-client-ca: given without --rpc-tls-cert");
    }

    @Test
    void accessRulesNeedClientCertificatesAndAShape() {
        assertThatThrownBy(() -> SidecarConfig.parse(
                        "--rpc-tls-cert",
                        cert.toString(),
                        "--rpc-tls-key",
                        key.toString(),
                        "--rpc-allow",
                        "demo.Greeter/*=billing"))
                .hasMessageStartingWith("--rpc-allow: given without --rpc-tls-client-ca");
        assertThatThrownBy(() -> SidecarConfig.parse("--rpc-allow", "demo.Greeter=billing"))
                .hasMessageStartingWith("--rpc-allow: \"demo.Greeter=billing\"")
                .hasMessageContaining("SERVICE/METHOD=NAME");
        assertThatThrownBy(() -> SidecarConfig.parse("--rpc-allow", "demo.Greeter/greet="))
                .hasMessageContaining("SERVICE/METHOD=NAME");
        assertThatThrownBy(() -> SidecarConfig.parse("--rpc-allow", "demo.Greeter/greet=,"))
                .hasMessage(
                        "--rpc-allow: identities [] for demo.Greeter/greet (expected: one or more certificate common"
                                + " names, or *)");
    }

    @Test
    void unusableTokenFilesAreRefusedWithoutQuotingThem() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), " \n");
        Path twoWords = Files.writeString(dir.resolve("two"), "secret words\n");

        assertThatThrownBy(() -> SidecarConfig.parse("--http-token-file", empty.toString()))
                .hasMessageStartingWith("--http-token-file: ")
                .hasMessageContaining("is empty");
        assertThatThrownBy(() -> SidecarConfig.parse("--bearer-token-file", twoWords.toString()))
                .hasMessageStartingWith("--bearer-token-file: ")
                .hasMessageContaining("whitespace")
                .hasMessageNotContaining("secret");
    }

    @Test
    void configFileMistakesNameTheFileAndKey() throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "tls-key = " + key + "\n");

        assertThatThrownBy(() -> SidecarConfig.parse("--config", file.toString()))
                .hasMessageStartingWith("--tls-key: given without --tls-cert");
        Files.writeString(file, "tls-ca = " + dir.resolve("nope.pem") + "\n");
        assertThatThrownBy(() -> SidecarConfig.parse("--config", file.toString()))
                .hasMessageStartingWith(file + ": tls-ca: ")
                .hasMessageContaining("does not exist");
    }

    @Test
    void helpDocumentsTheSecurityFlags() {
        String usage = SidecarConfig.usage();

        for (String flag : List.of(
                "--http-token-file FILE",
                "--tls-ca FILE",
                "--tls-cert FILE, --tls-key FILE",
                "--bearer-token-file FILE",
                "--rpc-tls-cert FILE, --rpc-tls-key FILE",
                "--rpc-tls-client-ca FILE",
                "--rpc-allow SERVICE/METHOD=NAME[,NAME...]",
                "--rpc-token-file FILE")) {
            assertThat(usage).contains(flag);
        }
    }
}
