package io.outrigger.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Timestamp;
import io.outrigger.serialization.testing.TestMessages;
import io.outrigger.serialization.testing.proto.EchoRequest;
import io.outrigger.serialization.testing.proto.User;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class DescriptorCatalogTest {

    @Test
    void holdsTheFilesGivenAndTheirImports() {
        DescriptorCatalog catalog = DescriptorCatalog.of(TestMessages.protoFile());

        assertThat(catalog.files())
                .extracting(FileDescriptor::getName)
                .containsExactly(
                        "google/protobuf/any.proto",
                        "google/protobuf/timestamp.proto",
                        "outrigger/testing/test_messages.proto");
        assertThat(catalog.findMessageType("outrigger.testing.EchoRequest")).containsSame(EchoRequest.getDescriptor());
        assertThat(catalog.messageType("outrigger.testing.User.Address")).isSameAs(User.Address.getDescriptor());
        assertThat(catalog.messageType("google.protobuf.Timestamp")).isSameAs(Timestamp.getDescriptor());
    }

    @Test
    void listsMessageTypesSortedWithoutMapEntries() {
        DescriptorCatalog catalog = DescriptorCatalog.of(TestMessages.protoFile());

        assertThat(catalog.messageTypeNames())
                .containsExactly(
                        "google.protobuf.Any",
                        "google.protobuf.Timestamp",
                        "outrigger.testing.EchoReply",
                        "outrigger.testing.EchoRequest",
                        "outrigger.testing.User",
                        "outrigger.testing.User.Address");
    }

    @Test
    void loadsADescriptorSetInAnyOrder() {
        List<FileDescriptorProto> files =
                new ArrayList<>(TestMessages.descriptorSet().getFileList());
        Collections.reverse(files); // the importing file first: it must wait for its imports

        DescriptorCatalog catalog = DescriptorCatalog.fromDescriptorSet(
                FileDescriptorSet.newBuilder().addAllFile(files).build());

        Descriptor user = catalog.messageType("outrigger.testing.User");
        assertThat(user).isNotSameAs(User.getDescriptor()); // built from the set, not the generated class
        assertThat(user.toProto()).isEqualTo(User.getDescriptor().toProto());
        assertThat(user.findFieldByName("created_at").getMessageType().getFullName())
                .isEqualTo("google.protobuf.Timestamp");
        assertThat(catalog.files()).hasSize(3);
    }

    @Test
    void loadsSerializedDescriptorSets() {
        DescriptorCatalog catalog =
                DescriptorCatalog.fromDescriptorSet(TestMessages.descriptorSet().toByteArray());

        assertThat(catalog.findMessageType("outrigger.testing.EchoReply")).isPresent();
    }

    @Test
    void resolvesWellKnownImportsTheSetLacks() {
        // As protoc writes without --include_imports: only the file itself.
        FileDescriptorSet set = FileDescriptorSet.newBuilder()
                .addFile(TestMessages.protoFile().toProto())
                .build();

        DescriptorCatalog catalog = DescriptorCatalog.fromDescriptorSet(set);

        assertThat(catalog.messageType("google.protobuf.Timestamp")).isSameAs(Timestamp.getDescriptor());
        assertThat(catalog.messageType("outrigger.testing.User")
                        .findFieldByName("created_at")
                        .getMessageType())
                .isSameAs(Timestamp.getDescriptor());
    }

    @Test
    void aMissingImportSaysHowToIncludeIt() {
        FileDescriptorSet set = FileDescriptorSet.newBuilder()
                .addFile(FileDescriptorProto.newBuilder()
                        .setName("demo/user.proto")
                        .setPackage("demo")
                        .setSyntax("proto3")
                        .addDependency("demo/common.proto"))
                .build();

        assertThatThrownBy(() -> DescriptorCatalog.fromDescriptorSet(set))
                .isInstanceOf(SerializationException.class)
                .hasMessage("the descriptor set lacks demo/common.proto, imported by demo/user.proto;"
                        + " make the set with protoc --include_imports --descriptor_set_out=...");
    }

    @Test
    void anInvalidFileIsNamed() {
        FileDescriptorSet set = FileDescriptorSet.newBuilder()
                .addFile(FileDescriptorProto.newBuilder()
                        .setName("demo/broken.proto")
                        .setPackage("demo")
                        .setSyntax("proto3")
                        .addMessageType(DescriptorProto.newBuilder()
                                .setName("Broken")
                                .addField(FieldDescriptorProto.newBuilder()
                                        .setName("other")
                                        .setNumber(1)
                                        .setType(FieldDescriptorProto.Type.TYPE_MESSAGE)
                                        .setTypeName(".demo.Missing"))))
                .build();

        assertThatThrownBy(() -> DescriptorCatalog.fromDescriptorSet(set))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("invalid file demo/broken.proto in the descriptor set: ")
                .hasMessageContaining("demo.Missing");
    }

    @Test
    void anImportCycleIsAnError() {
        FileDescriptorSet set = FileDescriptorSet.newBuilder()
                .addFile(FileDescriptorProto.newBuilder().setName("a.proto").addDependency("b.proto"))
                .addFile(FileDescriptorProto.newBuilder().setName("b.proto").addDependency("a.proto"))
                .build();

        assertThatThrownBy(() -> DescriptorCatalog.fromDescriptorSet(set))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("import cycle");
    }

    @Test
    void twoDifferentFilesWithOneNameAreAnError() {
        FileDescriptorSet set = FileDescriptorSet.newBuilder()
                .addFile(FileDescriptorProto.newBuilder().setName("a.proto").setPackage("one"))
                .addFile(FileDescriptorProto.newBuilder().setName("a.proto").setPackage("two"))
                .build();

        assertThatThrownBy(() -> DescriptorCatalog.fromDescriptorSet(set))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("two different files named a.proto");
    }

    @Test
    void bytesThatAreNotADescriptorSetAreAnError() {
        assertThatThrownBy(() -> DescriptorCatalog.fromDescriptorSet(new byte[] {(byte) 0xff, 0x01}))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("not a FileDescriptorSet");
    }

    @Test
    void anUnknownTypeListsTheKnownOnes() {
        DescriptorCatalog catalog = DescriptorCatalog.of(TestMessages.protoFile());

        assertThat(catalog.findMessageType("outrigger.testing.Nope")).isEmpty();
        assertThatThrownBy(() -> catalog.messageType("outrigger.testing.Nope"))
                .isInstanceOf(SerializationException.class)
                .hasMessageStartingWith("unknown protobuf message type outrigger.testing.Nope (known: ")
                .hasMessageContaining("outrigger.testing.EchoRequest");
    }
}
