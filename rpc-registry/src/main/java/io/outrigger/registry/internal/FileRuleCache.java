package io.outrigger.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

/**
 * The file cache of rule documents: one JSON file per service, {@code {directory}/{service}.json}
 * (the directory is {@code rules/} inside the node cache's), holding the last document read from
 * ZooKeeper, so that a consumer that starts while ZooKeeper is down starts with its rules. Written
 * like the node cache ({@link AtomicDirectory}: temp file, fsync, atomic rename); file names as
 * {@link FileNodeCache#fileFor}. A service whose rules were deleted has no file. A file that cannot
 * be read as the rules of its service is reported as {@link Corrupt}, never thrown. Thread-safe.
 */
public final class FileRuleCache {

    /** The {@code format} value this version writes and reads. */
    public static final int FORMAT = 1;

    /** Files larger than this are refused as corrupt rather than read into memory. */
    static final long MAX_FILE_BYTES = 4L * 1024 * 1024;

    private final AtomicDirectory directory;
    private final Clock clock;

    /** A cache kept in {@code directory} (created on the first write). */
    public FileRuleCache(Path directory, Clock clock) {
        this.directory = new AtomicDirectory(directory);
        this.clock = clock;
    }

    /** The directory holding the files. */
    public Path directory() {
        return directory.path();
    }

    /** The file of {@code service}'s rules. */
    public Path fileFor(String service) {
        return directory.path().resolve(FileNodeCache.fileName(service));
    }

    /** Stores {@code document} as the rules of {@code service}, atomically. */
    public void write(String service, String document) throws IOException {
        ObjectNode root = CacheEnvelope.create(FORMAT, service, clock.instant());
        root.put("document", document);
        directory.replace(
                FileNodeCache.fileName(service),
                InstanceJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }

    /** Deletes the rules of {@code service}; returns whether there was a file. */
    public boolean delete(String service) throws IOException {
        return directory.delete(FileNodeCache.fileName(service));
    }

    /** Reads the rules of {@code service}: {@link Missing}, {@link Loaded} or {@link Corrupt}. */
    public ReadResult read(String service) {
        Path file = fileFor(service);
        try {
            CacheEnvelope envelope = CacheEnvelope.read(file, service, FORMAT, MAX_FILE_BYTES);
            if (envelope == null) {
                return new Missing(file);
            }
            JsonNode document = envelope.root().get("document");
            if (document == null || !document.isTextual() || document.asText().isEmpty()) {
                throw new IllegalArgumentException("missing \"document\" string");
            }
            return new Loaded(file, document.asText(), envelope.writtenAt());
        } catch (IllegalArgumentException e) {
            return new Corrupt(file, e.getMessage());
        }
    }

    /** What {@link #read} found. */
    public sealed interface ReadResult permits Missing, Loaded, Corrupt {
        /** The file that was read. */
        Path file();
    }

    /** No file: no rules were cached for the service (or they were deleted). */
    public record Missing(Path file) implements ReadResult {}

    /** The cached document; {@code writtenAt} may be null when the file does not say. */
    public record Loaded(Path file, String document, Instant writtenAt) implements ReadResult {}

    /** A file that is not the rules of the service, and why. */
    public record Corrupt(Path file, String reason) implements ReadResult {}
}
