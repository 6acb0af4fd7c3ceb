package io.outrigger.registry;

import static io.outrigger.registry.ZooKeeperTesting.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A damaged cache file while ZooKeeper is unreachable: a warning naming the file, never a crash. */
class FileCacheFailureTest {

    @TempDir
    Path cacheDir;

    private static String unreachable() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + s.getLocalPort(); // closed again: nothing listens there
        }
    }

    private void assertIgnoredWithWarning(String content) throws Exception {
        Path file = cacheDir.resolve("demo.UserService.json");
        Files.writeString(file, content);
        try (ZooKeeperTesting.LogCapture log = new ZooKeeperTesting.LogCapture();
                ZooKeeperRegistry consumer = ZooKeeperTesting.registry(unreachable(), cacheDir)
                        .startupWait(Duration.ofMillis(200))
                        .build()) {
            ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
            consumer.subscribe(SERVICE, recorder);

            assertThat(recorder.last()).isEmpty();
            assertThat(recorder.lastOrigin()).isEqualTo(InstanceOrigin.FILE_CACHE);
            assertThat(log.text())
                    .contains("WARN")
                    .contains("ignoring corrupt registry cache file " + file.toAbsolutePath());
            // The registry still works: another service subscribes fine.
            consumer.subscribe("demo.OtherService", new ZooKeeperTesting.Recorder());
        }
    }

    @Test
    void garbageFileIsReportedAndIgnored() throws Exception {
        assertIgnoredWithWarning("\u0000\u0001 this is not json");
    }

    @Test
    void truncatedFileIsReportedAndIgnored() throws Exception {
        assertIgnoredWithWarning(
                "{\"format\":1,\"service\":\"demo.UserService\",\"instances\":[{\"service\":\"demo.Us");
    }

    @Test
    void fileOfAnotherServiceIsReportedAndIgnored() throws Exception {
        assertIgnoredWithWarning("{\"format\":1,\"service\":\"demo.Other\",\"instances\":[]}");
    }

    @Test
    void validFileIsServedWhileZooKeeperIsUnreachable() throws Exception {
        Files.writeString(
                cacheDir.resolve("demo.UserService.json"),
                "{\"format\":1,\"service\":\"demo.UserService\",\"writtenAt\":\"2026-11-21T10:00:00Z\","
                        + "\"instances\":[{\"service\":\"demo.UserService\",\"host\":\"127.0.0.1\",\"port\":7001}]}");
        try (ZooKeeperRegistry consumer = ZooKeeperTesting.registry(unreachable(), cacheDir)
                .startupWait(Duration.ofMillis(200))
                .clock(Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC)) // a day later
                .build()) {
            ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
            consumer.subscribe(SERVICE, recorder);
            assertThat(recorder.lastIds()).containsExactly("127.0.0.1:7001");
            assertThat(recorder.lastOrigin()).isEqualTo(InstanceOrigin.FILE_CACHE);
            assertThat(consumer.instances(SERVICE)).hasSize(1);
            // Defaults fill what the file leaves out.
            assertThat(consumer.instances(SERVICE).get(0).weight()).isEqualTo(100);
        }
    }
}
