package io.outrigger.sidecar.internal;

import io.outrigger.core.auth.TokenVerifier;
import io.outrigger.core.internal.WatchedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The tokens callers of the exports may send ({@code --rpc-token-file}): one {@code IDENTITY TOKEN}
 * pair per line, separated by spaces or tabs; blank lines and lines starting with {@code #} are
 * skipped. An identity may have several tokens (to rotate one without a gap); a token names one
 * identity. The identities are the names {@code --rpc-allow} lists. Read at startup, where an
 * unusable file stops the sidecar, and again whenever the file changes (checked at most once a
 * second, when a call comes): a rewrite that is unusable keeps the previous tokens and logs a
 * warning naming the line, so tokens can be rotated without a restart.
 *
 * <pre>
 * # identity  token
 * billing     4f9c0e...
 * ops         a81d37...
 * </pre>
 *
 * <p>Messages name the file and the line, never a token.
 */
public final class RpcTokenFile {

    /** The largest file read: a few hundred tokens; anything larger is a wrong path. */
    static final int MAX_BYTES = 1024 * 1024;

    /** How often the file is looked at, at most. */
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

    private RpcTokenFile() {}

    /**
     * The verifier of the tokens in {@code file}, following its changes.
     *
     * @throws IllegalArgumentException saying which line of {@code file} is wrong and how
     */
    public static TokenVerifier verifier(Path file) {
        return verifier(file, CHECK_INTERVAL, System::nanoTime);
    }

    static TokenVerifier verifier(Path file, Duration checkInterval, LongSupplier nanoTime) {
        WatchedFile<TokenVerifier> tokens = new WatchedFile<>(
                file, "--rpc-token-file", "tokens", f -> TokenVerifier.of(read(f)), checkInterval, nanoTime);
        return token -> tokens.get().verify(token);
    }

    /**
     * The identities by token in {@code file}.
     *
     * @throws IllegalArgumentException saying which line of {@code file} is wrong and how
     */
    public static Map<String, String> read(Path file) {
        List<String> lines;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException(
                        file + " is over " + MAX_BYTES + " bytes (expected: lines of IDENTITY TOKEN)");
            }
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + " as UTF-8 text: " + e.getMessage(), e);
        }
        Map<String, String> identities = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new HashMap<>();
        for (int n = 1; n <= lines.size(); n++) {
            String line = lines.get(n - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("[ \t]+");
            String where = file + " line " + n + ": ";
            if (words.length != 2) {
                throw new IllegalArgumentException(where + words.length + (words.length == 1 ? " word" : " words")
                        + " (expected: IDENTITY TOKEN, separated by spaces)");
            }
            String identity = words[0];
            String token = words[1];
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c < ' ' && c != '\t' || c == 0x7f) {
                    throw new IllegalArgumentException(where + "a control character (expected: IDENTITY TOKEN)");
                }
            }
            if (identity.indexOf(',') >= 0 || identity.equals("*")) {
                throw new IllegalArgumentException(where + "identity '" + identity
                        + "' (expected: a name as --rpc-allow lists it, without ',' and not *)");
            }
            Integer earlier = lineOf.putIfAbsent(token, n);
            if (earlier != null) {
                throw new IllegalArgumentException(where + "the same token as line " + earlier
                        + " (expected: a token of its own; one token names one caller)");
            }
            identities.put(token, identity);
        }
        if (identities.isEmpty()) {
            throw new IllegalArgumentException(file + " holds no IDENTITY TOKEN line");
        }
        return identities;
    }
}
