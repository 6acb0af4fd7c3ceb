package io.outrigger.core.server;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.service.MethodDescriptor;
import io.outrigger.core.service.ServiceDescriptor;
import io.outrigger.serialization.ProtobufSerializer;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Publishes the protobuf descriptors of a server's services, so that a caller holding no generated
 * classes (the sidecar) can accept and return JSON for them.
 *
 * <p>A server interceptor: it answers the reserved method {@value #METHOD} of each listed service
 * (a name no Java method can have) and passes every other call on. The reply is a protobuf {@code
 * google.protobuf.FileDescriptorSet}, serializer id {@value ProtobufSerializer#ID}, holding the files
 * that define the service's request and response messages (with everything they import, imports
 * first), plus one synthetic file named {@code outrigger/reflection/{service}.proto} that declares a
 * protobuf {@code service} whose methods map each method name to its request and response types.
 * Methods whose messages are not protobuf messages (Thrift), or whose names are not protobuf
 * identifiers, are left out; a service with none is not listed.
 *
 * <pre>{@code
 * RpcServer.builder()
 *         .service(UserService.class, new UserServiceImpl())
 *         .interceptor(ServiceReflection.of(UserService.class))
 *         .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe; the replies are computed once, when built.
 */
public final class ServiceReflection implements Interceptor {

    /** The reserved method answered with the service's descriptors. */
    public static final String METHOD = "outrigger.descriptors";

    /** The prefix of the synthetic file that declares a service's methods. */
    public static final String FILE_PREFIX = "outrigger/reflection/";

    private final Map<String, byte[]> replies;

    private ServiceReflection(Map<String, byte[]> replies) {
        this.replies = Map.copyOf(replies);
    }

    /**
     * Publishes the services described by the interfaces {@code serviceTypes} (named as their {@code
     * ServiceName} says).
     *
     * @throws IllegalArgumentException if a type breaks the service rules
     */
    public static ServiceReflection of(Class<?>... serviceTypes) {
        List<ServiceDescriptor> descriptors = new ArrayList<>();
        for (Class<?> type : serviceTypes) {
            descriptors.add(ServiceDescriptor.of(type));
        }
        return of(descriptors);
    }

    /** Publishes the services {@code descriptors} describe, under their names. */
    public static ServiceReflection of(List<ServiceDescriptor> descriptors) {
        Map<String, byte[]> replies = new LinkedHashMap<>();
        for (ServiceDescriptor d : descriptors) {
            FileDescriptorSet set = descriptorSet(d);
            if (set != null) {
                replies.put(d.name(), set.toByteArray());
            }
        }
        return new ServiceReflection(replies);
    }

    /** The names of the services published. */
    public java.util.Set<String> services() {
        return replies.keySet();
    }

    /**
     * The descriptor set published for {@code service}: the files of its protobuf messages and the
     * synthetic file declaring its methods; {@code null} when it has no protobuf method.
     */
    public static FileDescriptorSet descriptorSet(ServiceDescriptor service) {
        Objects.requireNonNull(service, "service");
        Map<String, FileDescriptor> files = new LinkedHashMap<>();
        ServiceDescriptorProto.Builder declared = ServiceDescriptorProto.newBuilder()
                .setName(protoIdentifier(service.name().substring(service.name().lastIndexOf('.') + 1)));
        for (MethodDescriptor m : service.methods().values()) {
            Descriptor request = protobufType(m.requestType());
            Descriptor response = protobufType(m.responseType());
            if (request == null || response == null || !isProtoIdentifier(m.name())) {
                continue;
            }
            addWithImports(request.getFile(), files);
            addWithImports(response.getFile(), files);
            declared.addMethod(MethodDescriptorProto.newBuilder()
                    .setName(m.name())
                    .setInputType("." + request.getFullName())
                    .setOutputType("." + response.getFullName())
                    .setClientStreaming(m.kind().clientStreams())
                    .setServerStreaming(m.kind().serverStreams()));
        }
        if (declared.getMethodCount() == 0) {
            return null;
        }
        FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
        files.values().forEach(f -> set.addFile(f.toProto()));
        set.addFile(FileDescriptorProto.newBuilder()
                .setName(FILE_PREFIX + service.name() + ".proto")
                .setSyntax("proto3")
                .addAllDependency(files.keySet())
                .addService(declared));
        return set.build();
    }

    @Override
    public CompletionStage<RpcResponse> intercept(RpcRequest request, Invoker next) {
        if (METHOD.equals(request.method())) {
            byte[] reply = replies.get(request.service());
            if (reply != null) {
                return CompletableFuture.completedFuture(RpcResponse.ok(Payload.encoded(ProtobufSerializer.ID, reply)));
            }
        }
        return next.invoke(request);
    }

    @Override
    public String toString() {
        return "ServiceReflection" + replies.keySet();
    }

    private static Descriptor protobufType(Class<?> type) {
        if (!Message.class.isAssignableFrom(type)) {
            return null;
        }
        try {
            return ((Message) type.getMethod("getDefaultInstance").invoke(null)).getDescriptorForType();
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException | ClassCastException e) {
            return null;
        }
    }

    private static void addWithImports(FileDescriptor file, Map<String, FileDescriptor> files) {
        if (files.containsKey(file.getName())) {
            return;
        }
        for (FileDescriptor dependency : file.getDependencies()) {
            addWithImports(dependency, files);
        }
        files.put(file.getName(), file);
    }

    private static boolean isProtoIdentifier(String name) {
        return !name.isEmpty() && protoIdentifier(name).equals(name);
    }

    /** The synthetic service's name must be a protobuf identifier; only its methods matter. */
    private static String protoIdentifier(String name) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok =
                    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
            sb.append(ok ? c : '_');
        }
        return sb.length() == 0 ? "Service" : sb.toString();
    }
}
