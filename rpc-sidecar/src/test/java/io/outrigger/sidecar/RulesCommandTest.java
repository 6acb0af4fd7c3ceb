package io.outrigger.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.sidecar.internal.RulesCommand;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rpc-sidecar.jar rules ...}: validate, set, get and delete against a real ZooKeeper. */
class RulesCommandTest {

    @TempDir
    Path dir;

    record Run(int status, String out, String err) {}

    static Run rules(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = RulesCommand.run(
                args,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static TestingServer zooKeeper() throws Exception {
        return new TestingServer(
                new InstanceSpec(
                        null, -1, -1, -1, true, -1, 500, -1, Map.of("clientPortAddress", "127.0.0.1"), "127.0.0.1"),
                true);
    }

    @Test
    void validateRejectsABadDocumentSayingWhereAndWhatWasExpected() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"retry\": {\"maxAttempts\": 0}}");
        Run run = rules("", "validate", bad.toString());
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err())
                .contains(bad + " is not a valid rule document")
                .contains("retry.maxAttempts: 0 (expected: 1..10)");

        // An unknown field is ignored by callers (forward compatibility), so it is valid, with a warning.
        Run typo = rules("{\"weigths\": {}, \"retry\": {\"jitterMode\": 1}}", "validate", "demo.UserService", "-");
        assertThat(typo.status()).isZero();
        assertThat(typo.out()).isEqualTo("valid" + System.lineSeparator());
        assertThat(typo.err())
                .contains("standard input has fields this Outrigger does not know")
                .contains("[weigths, retry.jitterMode]");

        Run newer = rules("{\"minReaderVersion\": 99}", "validate", "-");
        assertThat(newer.status()).isEqualTo(1);
        assertThat(newer.err()).contains("needs a rule reader of version 99 or later");

        Run good = rules("{\"timeouts\": {\"*\": 800}}", "validate", "-");
        assertThat(good.status()).isZero();
        assertThat(good.out()).isEqualTo("valid" + System.lineSeparator());
    }

    @Test
    void badUsageIsExitStatusTwo() {
        assertThat(rules("", "get", "demo.UserService").err()).contains("--registry zookeeper://HOST:PORT is required");
        assertThat(rules("", "get", "demo.UserService").status()).isEqualTo(2);
        assertThat(rules("", "frobnicate").status()).isEqualTo(2);
        assertThat(rules("", "--help").out()).contains("validate [SERVICE] FILE");
    }

    @Test
    void setThenGetRoundTripsThroughZooKeeperAndDeleteRemoves() throws Exception {
        try (TestingServer zk = zooKeeper()) {
            String registry = "zookeeper://" + zk.getConnectString();
            String doc = "{\"routing\": {\"splits\": [{\"version\": \"2.*\", \"percent\": 5}]}}";
            Path file = Files.writeString(dir.resolve("rules.json"), doc);

            assertThat(rules("", "get", "--registry", registry, "demo.UserService")
                            .status())
                    .isEqualTo(3);

            Run set = rules("", "set", "--registry", registry, "demo.UserService", file.toString());
            assertThat(set.status()).as(set.err()).isZero();
            assertThat(set.out()).contains("stored the rules of demo.UserService");

            Run get = rules("", "get", "--registry=" + registry, "demo.UserService");
            assertThat(get.status()).as(get.err()).isZero();
            assertThat(get.out().strip()).isEqualTo(doc);

            // An invalid document is never written: the stored one stays.
            Run bad = rules("{\"degrade\": 3}", "set", "--registry", registry, "demo.UserService", "-");
            assertThat(bad.status()).isEqualTo(1);
            assertThat(rules("", "get", "--registry", registry, "demo.UserService")
                            .out()
                            .strip())
                    .isEqualTo(doc);

            assertThat(rules("", "delete", "--registry", registry, "demo.UserService")
                            .status())
                    .isZero();
            assertThat(rules("", "get", "--registry", registry, "demo.UserService")
                            .status())
                    .isEqualTo(3);
            assertThat(rules("", "delete", "--registry", registry, "demo.UserService")
                            .status())
                    .isEqualTo(3);
        }
    }

    @Test
    void anUnreachableZooKeeperFailsWithinTheTimeout() throws Exception {
        String nowhere;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            nowhere = "zookeeper://127.0.0.1:" + s.getLocalPort();
        }
        long start = System.nanoTime();
        Run run = rules("", "get", "--registry", nowhere, "--timeout-ms", "500", "demo.UserService");
        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).startsWith("rules: get demo.UserService: ");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000);
    }
}
