package io.outrigger.registry.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A directory whose files are only ever replaced whole: each write goes to a temporary file named
 * after this process ({@code {name}.{pid}.{n}.tmp}), is forced to disk, then renamed over the target
 * atomically, and the directory is forced too. A reader sees a complete old or a complete new file,
 * never a mix, and any number of processes may share the directory without locks (the last writer
 * wins). Temporary files left by processes that died mid-write are swept by the first write.
 * Thread-safe.
 */
public final class AtomicDirectory {

    private static final AtomicLong TEMP_COUNTER = new AtomicLong();

    private final Path directory;
    private volatile boolean swept;

    /** The directory {@code directory} (created on the first write). */
    public AtomicDirectory(Path directory) {
        this.directory = directory.toAbsolutePath().normalize();
    }

    /** The directory. */
    public Path path() {
        return directory;
    }

    /** Replaces (or creates) file {@code name} with {@code bytes}: temp file, fsync, atomic rename. */
    public void replace(String name, byte[] bytes) throws IOException {
        Files.createDirectories(directory);
        if (!swept) {
            swept = true;
            sweepStaleTempFiles();
        }
        Path target = directory.resolve(name);
        Path temp = directory.resolve(
                name + "." + ProcessHandle.current().pid() + "." + TEMP_COUNTER.incrementAndGet() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                // Same directory, so this only happens on exotic file systems; still a whole-file replace.
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        forceDirectory();
    }

    /** Deletes file {@code name}, durably; returns whether it existed. */
    public boolean delete(String name) throws IOException {
        boolean deleted = Files.deleteIfExists(directory.resolve(name));
        if (deleted) {
            forceDirectory();
        }
        return deleted;
    }

    /**
     * Deletes temporary files left by processes that died mid-write. Only files whose process id is
     * no longer alive are touched, so a live process sharing the directory is never disturbed.
     */
    private void sweepStaleTempFiles() {
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(directory, "*.tmp")) {
            for (Path temp : temps) {
                String[] parts = temp.getFileName().toString().split("\\.");
                if (parts.length < 3) {
                    continue;
                }
                try {
                    long pid = Long.parseLong(parts[parts.length - 3]);
                    if (ProcessHandle.of(pid).isEmpty()) {
                        Files.deleteIfExists(temp);
                    }
                } catch (NumberFormatException | IOException ignored) {
                    // not ours, or already gone
                }
            }
        } catch (IOException ignored) {
            // best effort
        }
    }

    private void forceDirectory() {
        // Makes the rename itself durable on POSIX file systems; not possible everywhere (Windows).
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort
        }
    }
}
