package io.outrigger.core.auth;

import io.outrigger.core.internal.WatchedFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A token kept in a file, behind {@link BearerToken#fromFile(Path, String)}: the file's content
 * without surrounding whitespace, one word, read again when the file changes ({@link WatchedFile}:
 * checked at most once per interval; a change that leaves no usable token keeps the previous one and
 * logs a warning). The token itself is never logged. Thread-safe.
 */
final class TokenFile implements Supplier<String> {

    /** The largest token file read: tokens are short; anything larger is a wrong path. */
    static final int MAX_BYTES = 16 * 1024;

    private final WatchedFile<String> watched;

    /**
     * Reads {@code file} now.
     *
     * @param source what named the file (a flag, a property), for log lines
     * @param nanoTime the clock the interval is measured with, {@link System#nanoTime()} outside tests
     * @throws IllegalArgumentException if the file holds no usable token
     */
    TokenFile(Path file, String source, Duration checkInterval, LongSupplier nanoTime) {
        this.watched = new WatchedFile<>(file, source, "token", TokenFile::read, checkInterval, nanoTime);
    }

    /** The current token. Never {@code null}. */
    @Override
    public String get() {
        return watched.get();
    }

    @Override
    public String toString() {
        return "TokenFile[" + watched + "]";
    }

    /**
     * The token in {@code file}: its content without surrounding whitespace.
     *
     * @throws IllegalArgumentException saying which file and why it is unusable (never quoting its content)
     */
    static String read(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException(
                        file + " is over " + MAX_BYTES + " bytes (expected: a file holding one token)");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e, e);
        }
        String token = new String(bytes, StandardCharsets.UTF_8).strip();
        if (token.isEmpty()) {
            throw new IllegalArgumentException(file + " is empty (expected: a file holding one token)");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new IllegalArgumentException(file + " holds whitespace or a control character inside the"
                        + " token (expected: one token, a single word)");
            }
        }
        return token;
    }
}
