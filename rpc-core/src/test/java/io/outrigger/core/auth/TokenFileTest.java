package io.outrigger.core.auth;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.testing.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A token in a real file, rewritten while in use; time is a hand-moved clock, so nothing sleeps. */
class TokenFileTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    final AtomicLong now = new AtomicLong(1_000_000_000L);

    private TokenFile tokenFile(Path file) {
        return new TokenFile(file, "--test-token-file", SECOND, now::get);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void aRewrittenFileIsReadAgainAfterTheCheckInterval() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "first-token\n");
        TokenFile tokens = tokenFile(file);
        assertThat(tokens.get()).isEqualTo("first-token");

        Files.writeString(file, "  second-token-v2\n");
        // Within the interval the file is not looked at.
        advance(Duration.ofMillis(999));
        assertThat(tokens.get()).isEqualTo("first-token");
        advance(Duration.ofMillis(1));
        assertThat(tokens.get()).isEqualTo("second-token-v2");

        // An atomic replacement (write elsewhere, rename over it), as secret stores rotate files.
        Path next = Files.writeString(dir.resolve("token.tmp"), "third\n");
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        advance(SECOND);
        assertThat(tokens.get()).isEqualTo("third");
    }

    @Test
    void aBrokenFileKeepsTheLastTokenAndSaysWhy() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "good-token\n");
        TokenFile tokens = tokenFile(file);

        try (LogCapture logs = LogCapture.quiet(l -> l.contains("--test-token-file"))) {
            Files.writeString(file, "\n");
            advance(SECOND);
            assertThat(tokens.get()).isEqualTo("good-token");

            Files.writeString(file, "half written-token\n");
            advance(SECOND);
            assertThat(tokens.get()).isEqualTo("good-token");

            Files.delete(file);
            advance(SECOND);
            assertThat(tokens.get()).isEqualTo("good-token");

            assertThat(logs.lines())
                    .anySatisfy(l -> assertThat(l).contains("--test-token-file: " + file + " is empty"))
                    .anySatisfy(l -> assertThat(l).contains(file + " holds whitespace"))
                    .anySatisfy(l -> assertThat(l).contains(file + " cannot be read now"))
                    .filteredOn(l -> l.contains("--test-token-file"))
                    .hasSize(3)
                    .allSatisfy(l -> assertThat(l).doesNotContain("half").doesNotContain("good-token"));
        }

        Files.writeString(file, "repaired-token\n");
        advance(SECOND);
        assertThat(tokens.get()).isEqualTo("repaired-token");
    }

    @Test
    void anUnusableFileIsRefusedAtOnceNamingTheFileWithoutQuotingIt() throws Exception {
        Path missing = dir.resolve("missing");
        Path empty = Files.writeString(dir.resolve("empty"), " \n");
        Path twoWords = Files.writeString(dir.resolve("two"), "secret words\n");
        Path large = Files.write(dir.resolve("large"), new byte[TokenFile.MAX_BYTES + 1]);

        assertThatThrownBy(() -> BearerToken.fromFile(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot read " + missing);
        assertThatThrownBy(() -> BearerToken.fromFile(empty))
                .hasMessage(empty + " is empty (expected: a file holding one token)");
        assertThatThrownBy(() -> BearerToken.fromFile(twoWords))
                .hasMessageStartingWith(twoWords + " holds whitespace")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> BearerToken.fromFile(large)).hasMessageStartingWith(large + " is over 16384 bytes");
    }

    @Test
    void theInterceptorSendsTheTokenTheFileHoldsAtEachCall() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), "one-token\n");
        var interceptor = BearerToken.interceptor(tokenFile(file));
        AtomicReference<String> sent = new AtomicReference<>();
        RpcRequest request = RpcRequest.of("test.EchoService", "echo", Payload.of(echoRequest("x")));

        interceptor.intercept(request, r -> {
            sent.set(r.metadata().get(BearerToken.HEADER));
            return CompletableFuture.completedFuture(RpcResponse.ok(Payload.EMPTY));
        });
        assertThat(sent).hasValue("Bearer one-token");

        Files.writeString(file, "two-token-longer\n");
        advance(SECOND);
        interceptor.intercept(request, r -> {
            sent.set(r.metadata().get(BearerToken.HEADER));
            return CompletableFuture.completedFuture(RpcResponse.ok(Payload.EMPTY));
        });
        assertThat(sent).hasValue("Bearer two-token-longer");
    }
}
