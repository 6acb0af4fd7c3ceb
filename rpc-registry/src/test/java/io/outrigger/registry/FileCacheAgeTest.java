package io.outrigger.registry;

import static io.outrigger.registry.ZooKeeperTesting.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots older than the file cache's maximum age are not served at startup. */
class FileCacheAgeTest {

    private static final Instant NOW = Instant.parse("2026-11-30T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path cacheDir;

    private static String unreachable() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return "127.0.0.1:" + s.getLocalPort(); // closed again: nothing listens there
        }
    }

    private Path snapshot(String writtenAt) throws Exception {
        Path file = cacheDir.resolve("demo.UserService.json");
        Files.writeString(
                file,
                "{\"format\":1,\"service\":\"demo.UserService\","
                        + (writtenAt == null ? "" : "\"writtenAt\":\"" + writtenAt + "\",")
                        + "\"instances\":[{\"service\":\"demo.UserService\",\"host\":\"127.0.0.1\",\"port\":7001}]}");
        return file;
    }

    /** What a consumer starting while ZooKeeper is unreachable gets, with {@code configure} applied. */
    private ZooKeeperTesting.Recorder start(ZooKeeperTesting.LogCapture log, Duration maxAge) throws Exception {
        ZooKeeperRegistry.Builder b = ZooKeeperTesting.registry(unreachable(), cacheDir)
                .startupWait(Duration.ofMillis(200))
                .clock(CLOCK);
        if (maxAge != null) {
            b.fileCacheMaxAge(maxAge);
        }
        try (ZooKeeperRegistry consumer = b.build()) {
            ZooKeeperTesting.Recorder recorder = new ZooKeeperTesting.Recorder();
            consumer.subscribe(SERVICE, recorder);
            assertThat(recorder.lastOrigin()).isEqualTo(InstanceOrigin.FILE_CACHE);
            return recorder;
        }
    }

    @Test
    void snapshotOlderThanSevenDaysIsLoggedAndIgnored() throws Exception {
        Path file = snapshot("2026-11-22T09:00:00Z"); // 8 days and 1 hour before NOW
        try (ZooKeeperTesting.LogCapture log = new ZooKeeperTesting.LogCapture()) {
            ZooKeeperTesting.Recorder recorder = start(log, null);

            assertThat(recorder.last()).isEmpty();
            assertThat(log.text())
                    .contains("WARN")
                    .contains("ignoring registry cache file " + file.toAbsolutePath()
                            + ": written at 2026-11-22T09:00:00Z, PT193H ago, older than the limit of PT168H");
        }
    }

    @Test
    void snapshotWithinTheLimitIsServed() throws Exception {
        snapshot("2026-11-23T11:00:00Z"); // 6 days and 23 hours before NOW
        try (ZooKeeperTesting.LogCapture log = new ZooKeeperTesting.LogCapture()) {
            assertThat(start(log, null).lastIds()).containsExactly("127.0.0.1:7001");
        }
    }

    @Test
    void limitIsConfigurable() throws Exception {
        snapshot("2026-11-30T09:00:00Z"); // an hour old
        try (ZooKeeperTesting.LogCapture log = new ZooKeeperTesting.LogCapture()) {
            assertThat(start(log, Duration.ofMinutes(30)).last()).isEmpty();
            assertThat(log.text()).contains("older than the limit of PT30M");
        }
        try (ZooKeeperTesting.LogCapture log = new ZooKeeperTesting.LogCapture()) {
            assertThat(start(log, Duration.ofHours(2)).lastIds()).containsExactly("127.0.0.1:7001");
        }
    }

    @Test
    void fileWithoutWrittenAtIsAsOldAsItsLastModification() throws Exception {
        Path file = snapshot(null);
        Files.setLastModifiedTime(file, FileTime.from(NOW.minus(Duration.ofDays(30))));
        try (ZooKeeperTesting.LogCapture log = new ZooKeeperTesting.LogCapture()) {
            assertThat(start(log, null).last()).isEmpty();
            assertThat(log.text()).contains("ignoring registry cache file " + file.toAbsolutePath());
        }
        Files.setLastModifiedTime(file, FileTime.from(NOW.minus(Duration.ofDays(1))));
        try (ZooKeeperTesting.LogCapture log = new ZooKeeperTesting.LogCapture()) {
            assertThat(start(log, null).lastIds()).containsExactly("127.0.0.1:7001");
        }
    }

    @Test
    void builderRefusesANonPositiveLimit() {
        assertThatThrownBy(() -> ZooKeeperRegistry.builder("127.0.0.1:2181").fileCacheMaxAge(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("fileCacheMaxAge: PT0S (expected: > 0)");
    }
}
