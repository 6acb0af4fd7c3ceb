package io.outrigger.serialization.internal;

import com.google.protobuf.AnyProto;
import com.google.protobuf.ApiProto;
import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DurationProto;
import com.google.protobuf.EmptyProto;
import com.google.protobuf.FieldMaskProto;
import com.google.protobuf.JavaFeaturesProto;
import com.google.protobuf.SourceContextProto;
import com.google.protobuf.StructProto;
import com.google.protobuf.TimestampProto;
import com.google.protobuf.TypeProto;
import com.google.protobuf.WrappersProto;
import io.outrigger.serialization.SerializationException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns the files of a {@link FileDescriptorSet} into linked {@link FileDescriptor}s, each built
 * after the files it imports, whatever their order in the set.
 *
 * <p>An import that the set lacks is taken from the well-known types bundled with protobuf-java
 * ({@code google/protobuf/timestamp.proto} and the like), so a set made by {@code protoc
 * --descriptor_set_out} without {@code --include_imports} still loads if it only imports those.
 * Any other missing import is an error that says how to fix it.
 *
 * <p>Stateless; {@link #link} is thread-safe.
 */
public final class DescriptorSetLinker {

    /** The well-known files compiled into protobuf-java, by file name. */
    private static final Map<String, FileDescriptor> BUNDLED = bundledFiles();

    private DescriptorSetLinker() {}

    /**
     * Links every file of {@code set}; returns them in dependency order (a file after its imports),
     * including the bundled well-known files that some file imports but the set lacks.
     *
     * @throws SerializationException if a file is invalid, an import is missing or cyclic, or two
     *     different files have the same name
     */
    public static List<FileDescriptor> link(FileDescriptorSet set) {
        Map<String, FileDescriptorProto> protos = new LinkedHashMap<>();
        for (FileDescriptorProto proto : set.getFileList()) {
            FileDescriptorProto previous = protos.putIfAbsent(proto.getName(), proto);
            if (previous != null && !previous.equals(proto)) {
                throw new SerializationException("the descriptor set holds two different files named " + proto.getName()
                        + "; each file name must be unique");
            }
        }
        var linking = new Linking(protos);
        for (String name : protos.keySet()) {
            linking.build(name, null);
        }
        return List.copyOf(linking.ordered);
    }

    /**
     * The well-known file bundled with protobuf-java named {@code name} (e.g. {@code
     * "google/protobuf/timestamp.proto"}), or {@code null}.
     */
    public static FileDescriptor bundled(String name) {
        return BUNDLED.get(name);
    }

    private static final class Linking {
        private final Map<String, FileDescriptorProto> protos;
        private final Map<String, FileDescriptor> built = new HashMap<>();
        private final Set<String> inProgress = new HashSet<>();
        final List<FileDescriptor> ordered = new ArrayList<>();

        Linking(Map<String, FileDescriptorProto> protos) {
            this.protos = protos;
        }

        FileDescriptor build(String name, String importedBy) {
            FileDescriptor done = built.get(name);
            if (done != null) {
                return done;
            }
            FileDescriptorProto proto = protos.get(name);
            if (proto == null) {
                FileDescriptor bundled = BUNDLED.get(name);
                if (bundled == null) {
                    throw new SerializationException("the descriptor set lacks " + name + ", imported by " + importedBy
                            + "; make the set with protoc --include_imports --descriptor_set_out=...");
                }
                built.put(name, bundled);
                ordered.add(bundled);
                return bundled;
            }
            if (!inProgress.add(name)) {
                throw new SerializationException(
                        "import cycle in the descriptor set: " + name + " imports itself" + " through " + importedBy);
            }
            FileDescriptor[] dependencies = new FileDescriptor[proto.getDependencyCount()];
            for (int i = 0; i < dependencies.length; i++) {
                dependencies[i] = build(proto.getDependency(i), name);
            }
            FileDescriptor file;
            try {
                file = FileDescriptor.buildFrom(proto, dependencies);
            } catch (DescriptorValidationException e) {
                throw new SerializationException(
                        "invalid file " + name + " in the descriptor set: " + e.getMessage(), e);
            }
            inProgress.remove(name);
            built.put(name, file);
            ordered.add(file);
            return file;
        }
    }

    private static Map<String, FileDescriptor> bundledFiles() {
        Map<String, FileDescriptor> files = new HashMap<>();
        Stream.of(
                        AnyProto.getDescriptor(),
                        ApiProto.getDescriptor(),
                        DescriptorProtos.getDescriptor(),
                        DurationProto.getDescriptor(),
                        EmptyProto.getDescriptor(),
                        FieldMaskProto.getDescriptor(),
                        JavaFeaturesProto.getDescriptor(),
                        SourceContextProto.getDescriptor(),
                        StructProto.getDescriptor(),
                        TimestampProto.getDescriptor(),
                        TypeProto.getDescriptor(),
                        WrappersProto.getDescriptor())
                .forEach(file -> files.put(file.getName(), file));
        return Map.copyOf(files);
    }
}
