package io.outrigger.registry.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.outrigger.core.registry.ServiceInstance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The file cache: one JSON snapshot per service, {@code {directory}/{service}.json}, so that a
 * consumer that starts while ZooKeeper is down still finds its providers.
 *
 * <p>Every write goes through {@link AtomicDirectory}: to a temporary file named after this process
 * ({@code {service}.json.{pid}.{n}.tmp}), forced to disk, then renamed over the snapshot atomically. So
 * any number of processes on one host may share a directory without locks: a reader sees a complete
 * old or a complete new snapshot, never a mix, and the last writer wins (every writer holds a valid
 * view). A file that cannot be read as a snapshot of its service is reported as {@link Corrupt}, never
 * thrown.
 *
 * <p>Thread-safe.
 */
public final class FileNodeCache {

    /** The {@code format} value this version writes and reads. */
    public static final int FORMAT = 1;

    /** Snapshots larger than this are refused as corrupt rather than read into memory. */
    static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    private final AtomicDirectory files;
    private final Clock clock;
    private final Duration maxAge;

    /** A cache kept in {@code directory} (created on the first write), serving snapshots of any age. */
    public FileNodeCache(Path directory, Clock clock) {
        this(directory, clock, null);
    }

    /**
     * A cache kept in {@code directory} (created on the first write); a snapshot written more than
     * {@code maxAge} ago (by {@code clock}) is read as {@link Expired}. {@code null}: no limit.
     */
    public FileNodeCache(Path directory, Clock clock, Duration maxAge) {
        this.files = new AtomicDirectory(directory);
        this.clock = clock;
        this.maxAge = maxAge;
    }

    /** The age past which a snapshot is not served, or null for none. */
    public Duration maxAge() {
        return maxAge;
    }

    /** The directory holding the snapshots. */
    public Path directory() {
        return files.path();
    }

    /**
     * The snapshot file of {@code service}. A service name made only of {@code [A-Za-z0-9._-]} is used
     * as is; any other name is sanitized and suffixed with a hash, so different names never share a
     * file.
     */
    public Path fileFor(String service) {
        return files.path().resolve(fileName(service));
    }

    static String fileName(String service) {
        StringBuilder sb = new StringBuilder(service.length());
        boolean changed = false;
        for (int i = 0; i < service.length(); i++) {
            char c = service.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-';
            sb.append(ok ? c : '_');
            changed |= !ok;
        }
        if (sb.length() > 150) {
            sb.setLength(150);
            changed = true;
        }
        if (sb.charAt(0) == '.') {
            sb.setCharAt(0, '_'); // no hidden files, no "." or ".."
            changed = true;
        }
        if (changed) {
            sb.append('-').append(shortHash(service));
        }
        return sb.append(".json").toString();
    }

    /**
     * Writes the snapshot of {@code service} atomically: temp file, fsync, atomic rename, then a
     * best-effort fsync of the directory.
     */
    public void write(String service, List<ServiceInstance> instances) throws IOException {
        ObjectNode root = CacheEnvelope.create(FORMAT, service, clock.instant());
        ArrayNode array = root.putArray("instances");
        instances.forEach(i -> array.add(InstanceJson.toTree(i)));
        byte[] bytes = InstanceJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);

        files.replace(fileName(service), bytes);
    }

    /**
     * Reads the snapshot of {@code service}: {@link Missing}, {@link Loaded}, {@link Expired} or {@link
     * Corrupt}. A file that does not say when it was written (written by a tool, or by hand) is as old
     * as its last modification.
     */
    public ReadResult read(String service) {
        Path file = fileFor(service);
        Loaded loaded;
        try {
            CacheEnvelope envelope = CacheEnvelope.read(file, service, FORMAT, MAX_FILE_BYTES);
            if (envelope == null) {
                return new Missing(file);
            }
            loaded = parse(file, service, envelope);
        } catch (IllegalArgumentException e) {
            return new Corrupt(file, e.getMessage());
        }
        if (maxAge == null) {
            return loaded;
        }
        Instant writtenAt = loaded.writtenAt() != null ? loaded.writtenAt() : lastModified(file);
        if (writtenAt == null) {
            return loaded; // vanished between the reads: serve what was read
        }
        Duration age = Duration.between(writtenAt, clock.instant());
        return age.compareTo(maxAge) > 0 ? new Expired(file, writtenAt, age, maxAge) : loaded;
    }

    private static Instant lastModified(Path file) {
        try {
            return Files.getLastModifiedTime(file).toInstant();
        } catch (IOException e) {
            return null;
        }
    }

    private static Loaded parse(Path file, String service, CacheEnvelope envelope) {
        JsonNode array = envelope.root().get("instances");
        if (array == null || !array.isArray()) {
            throw new IllegalArgumentException("missing \"instances\" array");
        }
        List<ServiceInstance> instances = new ArrayList<>();
        int index = 0;
        for (JsonNode node : array) {
            try {
                instances.add(InstanceJson.fromTree(node, service));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("instances[" + index + "]: " + e.getMessage());
            }
            index++;
        }
        return new Loaded(file, List.copyOf(instances), envelope.writtenAt());
    }

    private static String shortHash(String s) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JVM has SHA-256
        }
    }

    /** What {@link #read} found. */
    public sealed interface ReadResult permits Missing, Loaded, Expired, Corrupt {
        /** The file that was read. */
        Path file();
    }

    /** No snapshot file. */
    public record Missing(Path file) implements ReadResult {}

    /** A valid snapshot; {@code writtenAt} may be null when the file does not say. */
    public record Loaded(Path file, List<ServiceInstance> instances, Instant writtenAt) implements ReadResult {}

    /** A valid snapshot older than the cache's maximum age: not served. */
    public record Expired(Path file, Instant writtenAt, Duration age, Duration maxAge) implements ReadResult {}

    /** A file that is not a valid snapshot of the service, and why. */
    public record Corrupt(Path file, String reason) implements ReadResult {}
}
