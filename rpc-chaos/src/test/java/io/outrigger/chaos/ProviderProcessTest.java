package io.outrigger.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The child providers never outlive the test JVM. */
class ProviderProcessTest {

    @TempDir
    Path dir;

    @Test
    void aProviderExitsWhenItsLifelineCloses() throws Exception {
        try (TestingServer zk = ZooKeepers.server();
                ProviderProcess provider =
                        ProviderProcess.start("lifeline-provider", zk.getConnectString(), dir, Duration.ofMinutes(2))) {
            assertThat(provider.port()).isPositive();
            provider.closeLifeline();
            assertThat(provider.awaitExit(Duration.ofSeconds(10))).isTrue();
        }
    }
}
