package io.outrigger.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.governance.LoadBalancing;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SidecarConfigTest {

    @TempDir
    Path dir;

    @Test
    void defaultsAreTheContracts() {
        SidecarConfig c = SidecarConfig.parse();

        assertThat(c.httpHost()).isEqualTo("127.0.0.1");
        assertThat(c.httpPort()).isEqualTo(15001);
        assertThat(c.rpcHost()).isEqualTo("0.0.0.0");
        assertThat(c.rpcPort()).isEqualTo(15002);
        assertThat(c.registry()).isNull();
        assertThat(c.defaultTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.maxBodyBytes()).isEqualTo(4 * 1024 * 1024);
    }

    @Test
    void everyFlagIsRead() {
        SidecarConfig c = SidecarConfig.parse(
                "--registry",
                "zookeeper://127.0.0.1:2181,127.0.0.1:2182",
                "--http",
                "127.0.0.1:9001",
                "--rpc=127.0.0.1:9002",
                "--export",
                "demo.Users=http://127.0.0.1:8080",
                "--export",
                "demo.Orders=http://127.0.0.1:8081/app",
                "--cache-dir",
                "/tmp/cache",
                "--announce-host",
                "10.0.0.7",
                "--descriptors",
                "a.pb",
                "--health-interval-ms",
                "500",
                "--health-failures",
                "3",
                "--max-body-bytes",
                "1024",
                "--timeout-ms",
                "750",
                "--propagation-delay-ms",
                "0",
                "--load-balancing",
                "consistent-hash");

        assertThat(c.registry()).isEqualTo("zookeeper://127.0.0.1:2181,127.0.0.1:2182");
        assertThat(c.httpPort()).isEqualTo(9001);
        assertThat(c.rpcHost()).isEqualTo("127.0.0.1");
        assertThat(c.exports())
                .containsEntry("demo.Users", URI.create("http://127.0.0.1:8080"))
                .containsEntry("demo.Orders", URI.create("http://127.0.0.1:8081/app"));
        assertThat(c.cacheDir()).isEqualTo(Path.of("/tmp/cache"));
        assertThat(c.announceHost()).isEqualTo("10.0.0.7");
        assertThat(c.descriptors()).containsExactly(Path.of("a.pb"));
        assertThat(c.healthInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.healthFailures()).isEqualTo(3);
        assertThat(c.maxBodyBytes()).isEqualTo(1024);
        assertThat(c.defaultTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(c.propagationDelay()).isZero();
        assertThat(c.loadBalancing()).isEqualTo(LoadBalancing.CONSISTENT_HASH);
    }

    @Test
    void theConfigFileGivesTheSameSettingsAndFlagsWin() throws Exception {
        Path file = dir.resolve("sidecar.properties");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "http = 127.0.0.1:7001",
                        "rpc = 127.0.0.1:7002",
                        "export.demo.Users = http://127.0.0.1:8080",
                        "export.demo.Orders = http://127.0.0.1:8081",
                        "descriptors = a.pb, b.pb",
                        "timeout-ms = 100"));

        SidecarConfig c = SidecarConfig.parse(
                "--config",
                file.toString(),
                "--http",
                "127.0.0.1:9001",
                "--export",
                "demo.Users=http://127.0.0.1:9999");

        assertThat(c.httpPort()).isEqualTo(9001); // the flag
        assertThat(c.rpcPort()).isEqualTo(7002); // the file
        assertThat(c.exports())
                .containsEntry("demo.Users", URI.create("http://127.0.0.1:9999"))
                .containsEntry("demo.Orders", URI.create("http://127.0.0.1:8081"));
        assertThat(c.descriptors()).containsExactly(Path.of("a.pb"), Path.of("b.pb"));
        assertThat(c.defaultTimeout()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void staticProviders() {
        SidecarConfig c = SidecarConfig.parse("--static", "demo.Users=127.0.0.1:7001,127.0.0.1:7002");

        assertThat(c.staticProviders()).containsEntry("demo.Users", List.of("127.0.0.1:7001", "127.0.0.1:7002"));
    }

    @Test
    void mistakesSayWhatWasExpected() throws Exception {
        assertThatThrownBy(() -> SidecarConfig.parse("--http", "localhost"))
                .hasMessageContaining("--http")
                .hasMessageContaining("HOST:PORT");
        assertThatThrownBy(() -> SidecarConfig.parse("--registry", "etcd://x:1"))
                .hasMessageContaining("zookeeper://HOST:PORT");
        assertThatThrownBy(() -> SidecarConfig.parse("--export", "demo.Users")).hasMessageContaining("SERVICE=URL");
        assertThatThrownBy(() -> SidecarConfig.parse("--export", "demo.Users=ftp://x"))
                .hasMessageContaining("http://");
        assertThatThrownBy(() -> SidecarConfig.parse("--bogus")).hasMessageContaining("unknown flag --bogus");
        assertThatThrownBy(() -> SidecarConfig.parse("--timeout-ms", "soon")).hasMessageContaining("whole number");
        assertThatThrownBy(() ->
                        SidecarConfig.parse("--registry", "zookeeper://127.0.0.1:2181", "--static", "a=127.0.0.1:1"))
                .hasMessageContaining("--static");
        Path file = dir.resolve("typo.properties");
        Files.writeString(file, "htpp = 127.0.0.1:1\n");
        assertThatThrownBy(() -> SidecarConfig.parse("--config", file.toString()))
                .hasMessageContaining("htpp")
                .hasMessageContaining("unknown setting");
    }

    @Test
    void slowPeerAndConnectionLimitsHaveDefaultsFlagsAndRanges() {
        SidecarConfig defaults = SidecarConfig.parse();
        assertThat(defaults.headerTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.minBodyRate()).isEqualTo(4096);
        assertThat(defaults.bodyRateGrace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.maxConnections()).isEqualTo(4096);
        assertThat(defaults.maxConnectionsPerAddress()).isEqualTo(4096);

        SidecarConfig c = SidecarConfig.parse(
                "--header-timeout-ms",
                "2500",
                "--min-body-rate",
                "0",
                "--body-rate-grace-ms",
                "1000",
                "--max-connections",
                "100",
                "--max-connections-per-address=10");
        assertThat(c.headerTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.minBodyRate()).isZero();
        assertThat(c.bodyRateGrace()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.maxConnections()).isEqualTo(100);
        assertThat(c.maxConnectionsPerAddress()).isEqualTo(10);

        assertThatThrownBy(() -> SidecarConfig.parse("--max-connections", "0"))
                .hasMessage("--max-connections: 0 (expected: 1..1000000)");
        assertThatThrownBy(() -> SidecarConfig.parse("--max-connections-per-address", "99999999999"))
                .hasMessage("--max-connections-per-address: 2147483647 (expected: 1..1000000)");
        assertThatThrownBy(() -> SidecarConfig.parse("--header-timeout-ms", "0"))
                .hasMessage("--header-timeout-ms: 0 (expected: 10..3600000)");
        assertThatThrownBy(() -> SidecarConfig.parse("--min-body-rate", "-1"))
                .hasMessageStartingWith("--min-body-rate: -1 (expected: 0..1073741824");
        assertThatThrownBy(() -> SidecarConfig.parse("--body-rate-grace-ms", "-5"))
                .hasMessage("--body-rate-grace-ms: -5 (expected: 0..3600000)");
    }

    @Test
    void inboundLimitsFromFlagsAndTheFileForExportsOnly() throws Exception {
        Path file = dir.resolve("limits.properties");
        Files.writeString(
                file,
                String.join(
                        "\n",
                        "export.demo.Users = http://127.0.0.1:8080",
                        "rpc-rate-limit.demo.Users/getUser = 100",
                        "rpc-concurrency-limit.demo.Users/* = 8"));

        SidecarConfig c = SidecarConfig.parse(
                "--config",
                file.toString(),
                "--rpc-rate-limit",
                "demo.Users/*=500",
                "--rpc-concurrency-limit=demo.Users/*=16");

        assertThat(c.rpcRateLimits())
                .containsExactly(Map.entry("demo.Users/getUser", 100), Map.entry("demo.Users/*", 500));
        assertThat(c.rpcConcurrencyLimits()).containsExactly(Map.entry("demo.Users/*", 16)); // the flag wins
        assertThat(SidecarConfig.parse().rpcRateLimits()).isEmpty();

        assertThatThrownBy(() -> SidecarConfig.parse("--rpc-rate-limit", "demo.Users/*=5"))
                .hasMessageStartingWith("--rpc-rate-limit: demo.Users is not exported (expected: one of the --export");
        assertThatThrownBy(() -> SidecarConfig.parse(
                        "--export", "demo.Users=http://127.0.0.1:8080", "--rpc-concurrency-limit", "demo.Users/*=0"))
                .hasMessage("--rpc-concurrency-limit: 0 for demo.Users/* (expected: 1..100000 calls in flight)");
        assertThatThrownBy(() -> SidecarConfig.parse(
                        "--export", "demo.Users=http://127.0.0.1:8080", "--rpc-rate-limit", "demo.Users=5"))
                .hasMessageContaining("(expected: SERVICE/METHOD=N");
        assertThatThrownBy(() -> SidecarConfig.parse(
                        "--export", "demo.Users=http://127.0.0.1:8080", "--rpc-rate-limit", "demo.Users/*=lots"))
                .hasMessageContaining("whole number");
    }

    @Test
    void helpDocumentsEveryFlag() {
        String usage = SidecarConfig.usage();

        for (String flag : List.of(
                "--registry zookeeper://HOST:PORT[,HOST:PORT...]",
                "--http HOST:PORT",
                "--rpc HOST:PORT",
                "--export SERVICE=URL",
                "--cache-dir DIR",
                "--config FILE",
                "--help",
                "--static",
                "--announce-host",
                "--descriptors",
                "--health-interval-ms",
                "--health-failures",
                "--max-body-bytes",
                "--timeout-ms",
                "--propagation-delay-ms",
                "--load-balancing",
                "--header-timeout-ms",
                "--min-body-rate",
                "--body-rate-grace-ms",
                "--max-connections",
                "--max-connections-per-address",
                "--rpc-rate-limit SERVICE/METHOD=N",
                "--rpc-concurrency-limit SERVICE/METHOD=N")) {
            assertThat(usage).contains(flag);
        }
    }
}
