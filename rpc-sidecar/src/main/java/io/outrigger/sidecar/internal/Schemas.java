package io.outrigger.sidecar.internal;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.InvalidProtocolBufferException;
import io.outrigger.core.Attributes;
import io.outrigger.core.Deadline;
import io.outrigger.core.Invoker;
import io.outrigger.core.Metadata;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.server.ServiceReflection;
import io.outrigger.serialization.DescriptorCatalog;
import io.outrigger.serialization.ProtobufSerializer;
import io.outrigger.serialization.SerializationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Where JSON calls find the message types of a service: the {@code --descriptors} files first, then
 * the descriptors the service's providers publish ({@link ServiceReflection}), asked once and kept
 * for a minute (a "publishes none" answer for 10 seconds). Thread-safe; never blocks.
 */
public final class Schemas {

    /** How a lookup ended. */
    public sealed interface Lookup {}

    /** The service's schema. */
    public record Found(ServiceSchema schema) implements Lookup {}

    /** The service publishes no descriptors: JSON cannot be used (415). */
    public record Unsupported(String message) implements Lookup {}

    /** Asking failed (no provider, deadline): the call fails with this status. */
    public record Failed(Status status) implements Lookup {}

    static final long FOUND_TTL_NANOS = TimeUnit.SECONDS.toNanos(60);
    static final long UNSUPPORTED_TTL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

    private record Cached(CompletableFuture<Lookup> lookup, boolean pending, long expiresAtNanos) {}

    private final Map<String, ServiceSchema> fromFiles;
    private final byte[] fileSet;
    private final Map<String, Cached> published = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    private Schemas(Map<String, ServiceSchema> fromFiles, byte[] fileSet, LongSupplier nanoTime) {
        this.fromFiles = fromFiles;
        this.fileSet = fileSet;
        this.nanoTime = nanoTime;
    }

    /**
     * Loads {@code files}, each a serialized {@code FileDescriptorSet}, as one catalog.
     *
     * @throws IllegalArgumentException naming a file that cannot be read or linked
     */
    public static Schemas load(List<Path> files) {
        return load(files, System::nanoTime);
    }

    static Schemas load(List<Path> files, LongSupplier nanoTime) {
        if (files.isEmpty()) {
            return new Schemas(Map.of(), null, nanoTime);
        }
        Map<String, FileDescriptorProto> merged = new LinkedHashMap<>();
        for (Path file : files) {
            try {
                FileDescriptorSet set = FileDescriptorSet.parseFrom(Files.readAllBytes(file));
                set.getFileList().forEach(f -> merged.putIfAbsent(f.getName(), f));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException(
                        "--descriptors " + file
                                + ": not a descriptor set (expected the output of protoc --include_imports --descriptor_set_out)");
            } catch (IOException e) {
                throw new IllegalArgumentException("--descriptors " + file + ": cannot read: " + e, e);
            }
        }
        FileDescriptorSet set =
                FileDescriptorSet.newBuilder().addAllFile(merged.values()).build();
        Map<String, ServiceSchema> schemas;
        try {
            schemas = ServiceSchema.declaredIn(DescriptorCatalog.fromDescriptorSet(set));
        } catch (SerializationException e) {
            throw new IllegalArgumentException("--descriptors " + files + ": " + e.getMessage(), e);
        }
        return new Schemas(Map.copyOf(schemas), set.toByteArray(), nanoTime);
    }

    /** The merged {@code --descriptors} set (what an export publishes), or {@code null} when none. */
    public byte[] fileDescriptorSet() {
        return fileSet;
    }

    /** Whether the {@code --descriptors} files declare {@code service}. */
    public boolean declares(String service) {
        return fromFiles.containsKey(service);
    }

    /** The names of the services the {@code --descriptors} files declare, by full name. */
    public java.util.Set<String> declaredServices() {
        return fromFiles.keySet();
    }

    /** The schema of {@code service}, asking its providers through {@code invoker} when the files lack it. */
    public CompletionStage<Lookup> lookup(String service, Invoker invoker) {
        ServiceSchema local = fromFiles.get(service);
        if (local != null) {
            return CompletableFuture.completedFuture(new Found(local.named(service)));
        }
        long now = nanoTime.getAsLong();
        Cached cached = published.get(service);
        if (cached != null && (cached.pending || cached.expiresAtNanos - now > 0)) {
            return cached.lookup;
        }
        CompletableFuture<Lookup> mine = new CompletableFuture<>();
        Cached placeholder = new Cached(mine, true, 0);
        boolean won = cached == null
                ? published.putIfAbsent(service, placeholder) == null
                : published.replace(service, cached, placeholder);
        if (!won) {
            return lookup(service, invoker);
        }
        ask(service, invoker).whenComplete((lookup, error) -> {
            Lookup result = error != null ? new Failed(Status.fromThrowable(error)) : lookup;
            long ttl = result instanceof Found
                    ? FOUND_TTL_NANOS
                    : result instanceof Unsupported ? UNSUPPORTED_TTL_NANOS : 0;
            if (ttl == 0) {
                published.remove(service, placeholder);
            } else {
                published.replace(service, placeholder, new Cached(mine, false, nanoTime.getAsLong() + ttl));
            }
            mine.complete(result);
        });
        return mine;
    }

    private static CompletionStage<Lookup> ask(String service, Invoker invoker) {
        RpcRequest request = new RpcRequest(
                service,
                ServiceReflection.METHOD,
                Metadata.empty(),
                Deadline.after(ASK_TIMEOUT),
                Payload.encoded(ProtobufSerializer.ID, new byte[0]),
                Attributes.empty());
        CompletionStage<RpcResponse> response;
        try {
            response = invoker.invoke(request);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(new Failed(Status.fromThrowable(e)));
        }
        return response.thenApply(r -> interpret(service, r));
    }

    private static Lookup interpret(String service, RpcResponse response) {
        Status.Code code = response.status().code();
        if (code == Status.Code.UNIMPLEMENTED) {
            return new Unsupported(noDescriptors(service));
        }
        if (!response.isOk()) {
            return new Failed(response.status());
        }
        if (!(response.payload() instanceof Payload.Encoded encoded)) {
            return new Unsupported(noDescriptors(service));
        }
        try {
            ServiceSchema schema = ServiceSchema.published(service, encoded.bytes());
            return schema == null ? new Unsupported(noDescriptors(service)) : new Found(schema);
        } catch (SerializationException e) {
            return new Unsupported("the descriptors published by " + service + " cannot be used: " + e.getMessage());
        }
    }

    /** The 415 message: how to make JSON work. */
    public static String noDescriptors(String service) {
        return "JSON needs the protobuf descriptors of " + service + ", and none are known: export"
                + " ServiceReflection.of(...) as a server interceptor on its Java providers, or start the sidecar"
                + " with --descriptors FILE (protoc --include_imports --descriptor_set_out=FILE), or send"
                + " application/x-protobuf; see docs/sidecar.md";
    }
}
