package io.outrigger.serialization;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.TypeRegistry;
import io.outrigger.serialization.internal.DescriptorSetLinker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The protobuf message types of a set of {@code .proto} files, found by full name ({@code
 * "demo.GetUserRequest"}). It lets code that has no generated classes, such as the sidecar, handle
 * messages described only by a descriptor set.
 *
 * <p>Load one from a {@code FileDescriptorSet} made by {@code protoc --include_imports
 * --descriptor_set_out=app.pb app.proto}; the files may come in any order, and imports of the
 * well-known types ({@code google/protobuf/*.proto}) resolve to protobuf-java's own copies when the
 * set lacks them. Or build one from compiled {@link FileDescriptor}s.
 *
 * <p>A catalog always holds the files it was given and everything they import. Immutable and
 * thread-safe.
 *
 * <pre>{@code
 * DescriptorCatalog catalog = DescriptorCatalog.fromDescriptorSet(Files.readAllBytes(path));
 * Descriptor request = catalog.messageType("demo.GetUserRequest");
 * }</pre>
 */
public final class DescriptorCatalog {

    private final List<FileDescriptor> files;
    /** Sorted by name. */
    private final Map<String, Descriptor> messageTypes;

    private final TypeRegistry typeRegistry;

    private DescriptorCatalog(List<FileDescriptor> roots) {
        Map<String, FileDescriptor> byName = new LinkedHashMap<>();
        for (FileDescriptor root : roots) {
            addWithImports(Objects.requireNonNull(root, "file"), byName);
        }
        Map<String, Descriptor> types = new TreeMap<>();
        for (FileDescriptor file : byName.values()) {
            for (Descriptor type : file.getMessageTypes()) {
                addWithNested(type, types);
            }
        }
        this.files = List.copyOf(byName.values());
        this.messageTypes = Collections.unmodifiableMap(types);
        TypeRegistry.Builder registry = TypeRegistry.newBuilder();
        for (Descriptor type : types.values()) {
            registry.add(type);
        }
        this.typeRegistry = registry.build();
    }

    /**
     * A catalog of {@code files} and everything they import.
     *
     * <pre>{@code DescriptorCatalog.of(EchoRequest.getDescriptor().getFile())}</pre>
     *
     * @throws SerializationException if two different files have the same name, or two files
     *     define the same message type
     */
    public static DescriptorCatalog of(FileDescriptor... files) {
        return new DescriptorCatalog(Arrays.asList(files));
    }

    /**
     * A catalog of the files in {@code set}, linked together.
     *
     * @throws SerializationException if the set is not self-consistent: a file is invalid, imports
     *     a file that is neither in the set nor a well-known type, or two files clash
     */
    public static DescriptorCatalog fromDescriptorSet(FileDescriptorSet set) {
        return new DescriptorCatalog(DescriptorSetLinker.link(Objects.requireNonNull(set, "set")));
    }

    /**
     * A catalog of the files in the serialized {@code FileDescriptorSet} {@code bytes}, such as the
     * content of a file written by {@code protoc --descriptor_set_out}.
     *
     * @throws SerializationException if the bytes are not a {@code FileDescriptorSet}, or the set
     *     is not self-consistent
     */
    public static DescriptorCatalog fromDescriptorSet(byte[] bytes) {
        FileDescriptorSet set;
        try {
            set = FileDescriptorSet.parseFrom(Objects.requireNonNull(bytes, "bytes"));
        } catch (InvalidProtocolBufferException e) {
            throw new SerializationException(
                    "not a FileDescriptorSet (expected the output of protoc --descriptor_set_out): " + e.getMessage(),
                    e);
        }
        return fromDescriptorSet(set);
    }

    /** The message type named {@code fullName} (e.g. {@code "demo.User.Address"}), if known. */
    public Optional<Descriptor> findMessageType(String fullName) {
        return Optional.ofNullable(messageTypes.get(Objects.requireNonNull(fullName, "fullName")));
    }

    /**
     * The message type named {@code fullName}.
     *
     * @throws SerializationException naming the type and, if there are few, the known types
     */
    public Descriptor messageType(String fullName) {
        Descriptor type = messageTypes.get(Objects.requireNonNull(fullName, "fullName"));
        if (type != null) {
            return type;
        }
        String known = messageTypes.size() <= 20
                ? String.join(", ", messageTypes.keySet())
                : messageTypes.size() + " types, e.g. "
                        + String.join(", ", new ArrayList<>(messageTypes.keySet()).subList(0, 20));
        throw new SerializationException("unknown protobuf message type " + fullName + " (known: " + known + ")");
    }

    /** The full names of every message type in the catalog, sorted; map entry types are left out. */
    public Set<String> messageTypeNames() {
        return messageTypes.keySet();
    }

    /** Every file in the catalog, each after the files it imports. */
    public List<FileDescriptor> files() {
        return files;
    }

    /** For {@code google.protobuf.Any} fields: every message type of the catalog. */
    TypeRegistry typeRegistry() {
        return typeRegistry;
    }

    @Override
    public String toString() {
        return "DescriptorCatalog[" + files.size() + " files, " + messageTypes.size() + " message types]";
    }

    private static void addWithImports(FileDescriptor file, Map<String, FileDescriptor> byName) {
        FileDescriptor known = byName.get(file.getName());
        if (known != null) {
            if (known != file && !known.toProto().equals(file.toProto())) {
                throw new SerializationException("two different files are named " + file.getName());
            }
            return;
        }
        for (FileDescriptor dependency : file.getDependencies()) {
            addWithImports(dependency, byName);
        }
        byName.put(file.getName(), file);
    }

    private static void addWithNested(Descriptor type, Map<String, Descriptor> types) {
        if (type.getOptions().getMapEntry()) {
            return; // synthetic type of a map field, not something a caller names
        }
        Descriptor previous = types.putIfAbsent(type.getFullName(), type);
        if (previous != null && previous != type) {
            throw new SerializationException("message type " + type.getFullName() + " is defined in both "
                    + previous.getFile().getName() + " and " + type.getFile().getName());
        }
        for (Descriptor nested : type.getNestedTypes()) {
            addWithNested(nested, types);
        }
    }
}
