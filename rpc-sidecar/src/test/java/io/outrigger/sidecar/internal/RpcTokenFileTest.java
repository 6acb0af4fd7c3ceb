package io.outrigger.sidecar.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.auth.TokenVerifier;
import io.outrigger.core.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --rpc-token-file} rotated while the sidecar runs: the new tokens are accepted and the old
 * ones refused after the next check, with no restart; a broken rewrite keeps the tokens in force.
 * Time is a hand-moved clock.
 */
class RpcTokenFileTest {

    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(5_000_000_000L);

    @Test
    void aRotatedFileIsFollowedAndABrokenRewriteKeepsTheTokensInForce() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), "billing old-billing-token\nops ops-token\n");
        TokenVerifier tokens = RpcTokenFile.verifier(file, Duration.ofSeconds(1), now::get);
        assertThat(tokens.verify("old-billing-token")).hasValue("billing");

        // Rotation as secret stores do it: a new file renamed over the old one.
        Path next =
                Files.writeString(dir.resolve("tokens.tmp"), "# rotated\nbilling new-billing-token\nops ops-token\n");
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        assertThat(tokens.verify("old-billing-token"))
                .as("within the check interval")
                .hasValue("billing");
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(tokens.verify("new-billing-token")).hasValue("billing");
        assertThat(tokens.verify("old-billing-token")).isEqualTo(Optional.empty());
        assertThat(tokens.verify("ops-token")).hasValue("ops");

        try (LogCapture logs = LogCapture.start()) {
            Files.writeString(file, "billing half-written-token extra\n");
            now.addAndGet(Duration.ofSeconds(1).toNanos());
            assertThat(tokens.verify("new-billing-token")).hasValue("billing");
            assertThat(tokens.verify("half-written-token")).isEqualTo(Optional.empty());
            assertThat(logs.lines())
                    .anySatisfy(l -> assertThat(l)
                            .contains(" WARN ")
                            .contains("--rpc-token-file: " + file + " line 1: 3 words")
                            .contains("still using the previous tokens"))
                    .allSatisfy(l -> assertThat(l).doesNotContain("half-written-token"));
        }
    }
}
