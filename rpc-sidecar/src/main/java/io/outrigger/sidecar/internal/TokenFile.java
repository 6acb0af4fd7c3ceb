package io.outrigger.sidecar.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A secret token kept in a file ({@code --bearer-token-file}, {@code --http-token-file}): the file's
 * content without surrounding whitespace, one word. The file is checked for changes (modification
 * time and size) at most once per {@code checkInterval}, on the thread that asks for the token, and
 * read again when it changed; a change that leaves no usable token keeps the previous one and logs a
 * warning. The token itself is never logged.
 *
 * <p>Thread-safe. {@link #get()} costs a volatile read, plus a file status check once per interval
 * (and a read of a small file when it changed): cheap enough for an event loop.
 */
public final class TokenFile implements Supplier<String> {

    private static final Logger log = LoggerFactory.getLogger(TokenFile.class);

    /** The largest token file read: tokens are short; anything larger is a wrong path. */
    static final int MAX_BYTES = 16 * 1024;

    private record State(String token, long modified, long size, long checkedAt) {}

    private final Path file;
    private final String flag;
    private final long checkIntervalNanos;
    private volatile State state;

    /**
     * Reads {@code file} now.
     *
     * @param flag the flag that named the file, for log lines
     * @throws IllegalArgumentException if the file holds no usable token
     */
    public TokenFile(Path file, String flag, Duration checkInterval) {
        this.file = file;
        this.flag = flag;
        this.checkIntervalNanos = checkInterval.toNanos();
        BasicFileAttributes attributes = attributes(file);
        this.state = new State(
                read(file),
                attributes == null ? 0 : attributes.lastModifiedTime().toMillis(),
                attributes == null ? -1 : attributes.size(),
                System.nanoTime());
    }

    /** The current token. Never {@code null}. */
    @Override
    public String get() {
        State s = state;
        long now = System.nanoTime();
        if (now - s.checkedAt() < checkIntervalNanos) {
            return s.token();
        }
        synchronized (this) {
            s = state;
            if (now - s.checkedAt() < checkIntervalNanos) {
                return s.token();
            }
            BasicFileAttributes attributes = attributes(file);
            long modified = attributes == null
                    ? s.modified()
                    : attributes.lastModifiedTime().toMillis();
            long size = attributes == null ? s.size() : attributes.size();
            String token = s.token();
            if (attributes == null) {
                log.warn("{}: {} cannot be read now; still using the previous token", flag, file);
            } else if (modified != s.modified() || size != s.size()) {
                try {
                    token = read(file);
                    log.info("{}: read the new token from {}", flag, file);
                } catch (IllegalArgumentException e) {
                    log.warn("{}: {} changed but {}; still using the previous token", flag, file, e.getMessage());
                }
            }
            state = new State(token, modified, size, now);
            return token;
        }
    }

    /**
     * The token in {@code file}: its content without surrounding whitespace.
     *
     * @throws IllegalArgumentException saying why the file is unusable (never quoting its content)
     */
    public static String read(Path file) {
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
