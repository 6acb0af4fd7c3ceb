package io.outrigger.serialization.testing;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Timestamp;
import io.outrigger.serialization.testing.proto.EchoRequest;
import io.outrigger.serialization.testing.proto.Role;
import io.outrigger.serialization.testing.proto.TestMessagesProto;
import io.outrigger.serialization.testing.proto.User;
import io.outrigger.serialization.testing.thrift.gen.ThriftAddress;
import io.outrigger.serialization.testing.thrift.gen.ThriftEchoRequest;
import io.outrigger.serialization.testing.thrift.gen.ThriftRole;
import io.outrigger.serialization.testing.thrift.gen.ThriftUser;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ready-made test messages, shared with other modules' tests through the rpc-serialization
 * test-jar.
 *
 * <p>The protobuf messages ({@code io.outrigger.serialization.testing.proto}) are generated from
 * {@code src/test/protobuf/outrigger/testing/test_messages.proto} at build time; the Thrift ones
 * ({@code io.outrigger.serialization.testing.thrift.gen}) are generated from {@code
 * src/test/thrift/test_messages.thrift} by {@code scripts/generate-thrift.sh} and committed.
 */
public final class TestMessages {

    private TestMessages() {}

    /** An {@code EchoRequest} with {@code text}, the UTF-8 bytes of {@code text} as data, no sleep. */
    public static EchoRequest echoRequest(String text) {
        return EchoRequest.newBuilder()
                .setText(text)
                .setData(ByteString.copyFromUtf8(text))
                .build();
    }

    /** A {@code ThriftEchoRequest} with {@code text}, the UTF-8 bytes of {@code text}, no sleep. */
    public static ThriftEchoRequest thriftEchoRequest(String text) {
        return new ThriftEchoRequest()
                .setText(text)
                .setData(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)))
                .setSleepMillis(0);
    }

    /** A protobuf {@code User} with every kind of field set: nested, enum, repeated, map, oneof, WKTs. */
    public static User user() {
        return User.newBuilder()
                .setId(9_007_199_254_740_993L) // above 2^53: survives JSON only as a string
                .setName("Ada")
                .setRole(Role.ROLE_ADMIN)
                .addTags("math")
                .addTags("engines")
                .addAddresses(
                        User.Address.newBuilder().setStreet("1 Analytical Way").setCity("London"))
                .addAddresses(
                        User.Address.newBuilder().setStreet("2 Difference St").setCity("Marylebone"))
                .putScores("chess", 1800)
                .putScores("go", -3)
                .setCreatedAt(Timestamp.newBuilder().setSeconds(1_700_000_000L).setNanos(5_000_000))
                .setEmail("ada@example.org")
                .setExtra(Any.pack(echoRequest("packed")))
                .build();
    }

    /** A Thrift {@code ThriftUser} with every kind of field set: nested, enum, list, map. */
    public static ThriftUser thriftUser() {
        Map<String, Integer> scores = new LinkedHashMap<>();
        scores.put("chess", 1800);
        scores.put("go", -3);
        return new ThriftUser()
                .setId(42L)
                .setName("Ada")
                .setRole(ThriftRole.ADMIN)
                .setTags(List.of("math", "engines"))
                .setAddresses(List.of(
                        new ThriftAddress().setStreet("1 Analytical Way").setCity("London"),
                        new ThriftAddress().setStreet("2 Difference St").setCity("Marylebone")))
                .setScores(scores);
    }

    /** The file that defines the protobuf test messages. */
    public static FileDescriptor protoFile() {
        return TestMessagesProto.getDescriptor();
    }

    /**
     * A {@code FileDescriptorSet} like {@code protoc --include_imports --descriptor_set_out} makes
     * for the protobuf test messages: their file and everything it imports, imports first.
     */
    public static FileDescriptorSet descriptorSet() {
        List<FileDescriptor> ordered = new ArrayList<>();
        addWithImports(protoFile(), ordered);
        FileDescriptorSet.Builder set = FileDescriptorSet.newBuilder();
        ordered.forEach(file -> set.addFile(file.toProto()));
        return set.build();
    }

    private static void addWithImports(FileDescriptor file, List<FileDescriptor> ordered) {
        if (ordered.contains(file)) {
            return;
        }
        file.getDependencies().forEach(dependency -> addWithImports(dependency, ordered));
        ordered.add(file);
    }
}
