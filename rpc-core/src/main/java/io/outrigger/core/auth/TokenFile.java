package io.outrigger.core.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A token kept in a file, behind {@link BearerToken#fromFile(Path, String)}: the file's content
 * without surrounding whitespace, one word. The file is checked for changes (modification time, size
 * and file key, so an atomic rename or a symbolic link swapped to a new file counts) at most once per
 * check interval, on the thread that asks for the token, and read again when it changed; a change that
 * leaves no usable token keeps the previous one and logs a warning. The token itself is never logged.
 *
 * <p>Thread-safe. {@link #get()} costs a volatile read, plus a file status check once per interval (and
 * a read of a small file when it changed): cheap enough for an event loop.
 */
final class TokenFile implements Supplier<String> {

    private static final Logger log = LoggerFactory.getLogger(TokenFile.class);

    /** The largest token file read: tokens are short; anything larger is a wrong path. */
    static final int MAX_BYTES = 16 * 1024;

    /** What identifies one version of the file; {@code null} fields when the file could not be examined. */
    private record Version(FileTime modified, long size, Object key) {
        static Version of(BasicFileAttributes a) {
            return new Version(a.lastModifiedTime(), a.size(), a.fileKey());
        }
    }

    private record State(String token, Version version, long checkedAt) {}

    private final Path file;
    private final String source;
    private final long checkIntervalNanos;
    private final LongSupplier nanoTime;
    private volatile State state;

    /**
     * Reads {@code file} now.
     *
     * @param source what named the file (a flag, a property), for log lines
     * @param nanoTime the clock the interval is measured with, {@link System#nanoTime()} outside tests
     * @throws IllegalArgumentException if the file holds no usable token
     */
    TokenFile(Path file, String source, Duration checkInterval, LongSupplier nanoTime) {
        this.file = Objects.requireNonNull(file, "file");
        this.source = Objects.requireNonNull(source, "source");
        this.checkIntervalNanos = checkInterval.toNanos();
        this.nanoTime = nanoTime;
        BasicFileAttributes attributes = attributes(file);
        this.state = new State(read(file), attributes == null ? null : Version.of(attributes), nanoTime.getAsLong());
    }

    /** The current token. Never {@code null}. */
    @Override
    public String get() {
        State s = state;
        long now = nanoTime.getAsLong();
        if (now - s.checkedAt() < checkIntervalNanos) {
            return s.token();
        }
        synchronized (this) {
            s = state;
            if (now - s.checkedAt() < checkIntervalNanos) {
                return s.token();
            }
            BasicFileAttributes attributes = attributes(file);
            Version version = s.version();
            String token = s.token();
            if (attributes == null) {
                log.warn("{}: {} cannot be read now; still using the previous token", source, file);
            } else if (!Version.of(attributes).equals(version)) {
                version = Version.of(attributes);
                try {
                    token = read(file);
                    log.info("{}: read the new token from {}", source, file);
                } catch (IllegalArgumentException e) {
                    log.warn("{}: {}; still using the previous token", source, e.getMessage());
                }
            }
            state = new State(token, version, now);
            return token;
        }
    }

    @Override
    public String toString() {
        return "TokenFile[" + source + ": " + file + "]";
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

    private static BasicFileAttributes attributes(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }
}
