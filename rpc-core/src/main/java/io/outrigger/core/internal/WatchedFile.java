package io.outrigger.core.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a file holds (a token, a table of tokens), read again when the file changes. The file is
 * checked (modification time, size and file key, so an atomic rename or a symbolic link swapped to
 * a new file counts) at most once per check interval, on the thread that asks, and read again when
 * it changed; a change the reader refuses keeps the previous value and logs a warning with the
 * reader's message. Readers must not put secrets in their messages: they are logged.
 *
 * <p>Thread-safe. {@link #get()} costs a volatile read, plus a file status check once per interval
 * (and a read when the file changed): cheap enough for an event loop while the file is small.
 *
 * @param <T> what the file holds
 */
public final class WatchedFile<T> implements Supplier<T> {

    private static final Logger log = LoggerFactory.getLogger(WatchedFile.class);

    /** What identifies one version of the file. */
    private record Version(FileTime modified, long size, Object key) {
        static Version of(BasicFileAttributes a) {
            return new Version(a.lastModifiedTime(), a.size(), a.fileKey());
        }
    }

    private record State<T>(T value, Version version, long checkedAt) {}

    private final Path file;
    private final String source;
    private final String what;
    private final Function<Path, T> reader;
    private final long checkIntervalNanos;
    private final LongSupplier nanoTime;
    private volatile State<T> state;

    /**
     * Reads {@code file} now.
     *
     * @param source what named the file (a flag, a property), at the start of log lines
     * @param what what the file holds, for log lines ({@code "token"}, {@code "tokens"})
     * @param reader reads the file; throws {@link IllegalArgumentException} saying why it is unusable
     * @param nanoTime the clock the interval is measured with, {@link System#nanoTime()} outside tests
     * @throws IllegalArgumentException from {@code reader}: the file is unusable now
     */
    public WatchedFile(
            Path file,
            String source,
            String what,
            Function<Path, T> reader,
            Duration checkInterval,
            LongSupplier nanoTime) {
        this.file = Objects.requireNonNull(file, "file");
        this.source = Objects.requireNonNull(source, "source");
        this.what = Objects.requireNonNull(what, "what");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.checkIntervalNanos = checkInterval.toNanos();
        this.nanoTime = nanoTime;
        BasicFileAttributes attributes = attributes(file);
        this.state = new State<>(
                reader.apply(file), attributes == null ? null : Version.of(attributes), nanoTime.getAsLong());
    }

    /** The current value. Never {@code null}. */
    @Override
    public T get() {
        State<T> s = state;
        long now = nanoTime.getAsLong();
        if (now - s.checkedAt() < checkIntervalNanos) {
            return s.value();
        }
        synchronized (this) {
            s = state;
            if (now - s.checkedAt() < checkIntervalNanos) {
                return s.value();
            }
            BasicFileAttributes attributes = attributes(file);
            Version version = s.version();
            T value = s.value();
            if (attributes == null) {
                log.warn("{}: {} cannot be read now; still using the previous {}", source, file, what);
            } else if (!Version.of(attributes).equals(version)) {
                version = Version.of(attributes);
                try {
                    value = reader.apply(file);
                    log.info("{}: read the new {} from {}", source, what, file);
                } catch (IllegalArgumentException e) {
                    log.warn("{}: {}; still using the previous {}", source, e.getMessage(), what);
                }
            }
            state = new State<>(value, version, now);
            return value;
        }
    }

    @Override
    public String toString() {
        return "WatchedFile[" + source + ": " + file + "]";
    }

    private static BasicFileAttributes attributes(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
    }
}
