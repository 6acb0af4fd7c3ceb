package io.outrigger.sidecar.internal;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.outrigger.core.server.ServiceReflection;
import io.outrigger.serialization.DescriptorCatalog;
import io.outrigger.serialization.ProtobufJsonTranscoder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The message types of one protobuf service's methods, and a transcoder for them: what JSON calls
 * need. Immutable and thread-safe.
 */
public final class ServiceSchema {

    /**
     * The request and response types of one method, whether it streams, and the transcoder that
     * knows them.
     */
    public record MethodTypes(
            String name,
            Descriptor request,
            Descriptor response,
            ProtobufJsonTranscoder transcoder,
            boolean clientStreaming,
            boolean serverStreaming) {

        /** Whether either side of the method streams (the sidecar does not carry streams yet). */
        public boolean streams() {
            return clientStreaming || serverStreaming;
        }
    }

    private final String service;
    private final Map<String, MethodTypes> methods;
    private final ProtobufJsonTranscoder transcoder;

    private ServiceSchema(String service, ServiceDescriptor declared, ProtobufJsonTranscoder transcoder) {
        this.service = service;
        Map<String, MethodTypes> m = new LinkedHashMap<>();
        for (MethodDescriptor method : declared.getMethods()) {
            m.put(
                    method.getName(),
                    new MethodTypes(
                            method.getName(),
                            method.getInputType(),
                            method.getOutputType(),
                            transcoder,
                            method.isClientStreaming(),
                            method.isServerStreaming()));
        }
        this.methods = Map.copyOf(m);
        this.transcoder = transcoder;
    }

    /**
     * The schemas of every protobuf {@code service} declared in {@code catalog}, by full name ({@code
     * demo.UserService}) and, when unique, by simple name too ({@code UserService}).
     */
    public static Map<String, ServiceSchema> declaredIn(DescriptorCatalog catalog) {
        ProtobufJsonTranscoder transcoder = ProtobufJsonTranscoder.of(catalog);
        Map<String, ServiceSchema> byName = new LinkedHashMap<>();
        Map<String, Integer> simpleCount = new LinkedHashMap<>();
        for (FileDescriptor file : catalog.files()) {
            for (ServiceDescriptor s : file.getServices()) {
                byName.put(s.getFullName(), new ServiceSchema(s.getFullName(), s, transcoder));
                simpleCount.merge(s.getName(), 1, Integer::sum);
            }
        }
        for (FileDescriptor file : catalog.files()) {
            for (ServiceDescriptor s : file.getServices()) {
                if (simpleCount.get(s.getName()) == 1) {
                    byName.putIfAbsent(s.getName(), byName.get(s.getFullName()));
                }
            }
        }
        return byName;
    }

    /**
     * The schema of {@code service} in a descriptor set published for it: the synthetic file of
     * {@link ServiceReflection} when present, else the protobuf service declared under that name.
     *
     * @return the schema, or {@code null} when the set does not describe {@code service}
     * @throws io.outrigger.serialization.SerializationException if the set is not a valid one
     */
    public static ServiceSchema published(String service, byte[] descriptorSet) {
        DescriptorCatalog catalog = DescriptorCatalog.fromDescriptorSet(descriptorSet);
        String synthetic = ServiceReflection.FILE_PREFIX + service + ".proto";
        for (FileDescriptor file : catalog.files()) {
            if (file.getName().equals(synthetic) && !file.getServices().isEmpty()) {
                return new ServiceSchema(service, file.getServices().get(0), ProtobufJsonTranscoder.of(catalog));
            }
        }
        ServiceSchema declared = declaredIn(catalog).get(service);
        return declared == null ? null : declared.named(service);
    }

    /** This schema under the Outrigger service name {@code service}. */
    ServiceSchema named(String service) {
        return service.equals(this.service) ? this : new ServiceSchema(service, this);
    }

    private ServiceSchema(String service, ServiceSchema other) {
        this.service = service;
        this.methods = other.methods;
        this.transcoder = other.transcoder;
    }

    /** The types of {@code method}: matched exactly, else ignoring case ({@code getUser} = {@code GetUser}). */
    public MethodTypes method(String method) {
        MethodTypes exact = methods.get(method);
        if (exact != null) {
            return exact;
        }
        for (MethodTypes m : methods.values()) {
            if (m.name().toLowerCase(Locale.ROOT).equals(method.toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        return null;
    }

    /** The method names, sorted (for error messages). */
    public List<String> methodNames() {
        return List.copyOf(new TreeSet<>(methods.keySet()));
    }

    public ProtobufJsonTranscoder transcoder() {
        return transcoder;
    }

    public String service() {
        return service;
    }

    @Override
    public String toString() {
        return "ServiceSchema[" + service + " " + methodNames() + "]";
    }
}
