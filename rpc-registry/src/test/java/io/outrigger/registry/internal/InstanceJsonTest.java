package io.outrigger.registry.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.core.registry.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InstanceJsonTest {

    @Test
    void roundTripsEveryField() {
        ServiceInstance instance = ServiceInstance.builder("demo.UserService", "::1", 7001)
                .weight(250)
                .version("2.1.0")
                .group("blue")
                .tags(Set.of("canary", "arm64"))
                .zone("eu-1a")
                .serializers(List.of("protobuf"))
                .protocolVersion(2)
                .metadata("owner", "team-a")
                .metadata("build", "42")
                .build();
        assertThat(InstanceJson.fromBytes(InstanceJson.toBytes(instance), "demo.UserService"))
                .isEqualTo(instance);
        assertThat(instance.id()).isEqualTo("[::1]:7001");
    }

    @Test
    void toleratesUnknownAndMissingOptionalFields() {
        String json = "{\"service\":\"demo.UserService\",\"host\":\"127.0.0.1\",\"port\":7001,\"future\":{\"x\":1}}";
        ServiceInstance read = InstanceJson.fromBytes(json.getBytes(StandardCharsets.UTF_8), "demo.UserService");
        assertThat(read)
                .isEqualTo(ServiceInstance.builder("demo.UserService", "127.0.0.1", 7001)
                        .build());
    }

    @Test
    void rejectsWhatIsNotAnInstanceOfTheService() {
        assertThatThrownBy(() -> InstanceJson.fromBytes("{}".getBytes(), "s")).hasMessageContaining("service");
        assertThatThrownBy(
                        () -> InstanceJson.fromBytes("{\"service\":\"t\",\"host\":\"h\",\"port\":1}".getBytes(), "s"))
                .hasMessageContaining("expected: \"s\"");
        assertThatThrownBy(() -> InstanceJson.fromBytes("{\"service\":\"s\",\"port\":1}".getBytes(), "s"))
                .hasMessageContaining("host");
        assertThatThrownBy(
                        () -> InstanceJson.fromBytes("{\"service\":\"s\",\"host\":\"h\",\"port\":0}".getBytes(), "s"))
                .hasMessageContaining("port: 0");
        assertThatThrownBy(() -> InstanceJson.fromBytes("nope".getBytes(), "s")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> InstanceJson.fromBytes(new byte[0], "s")).hasMessageContaining("no data");
    }

    @Test
    void incarnationIsWrittenWhenKnownAndMissingMeansUnknown() {
        ServiceInstance restarted = ServiceInstance.builder("demo.UserService", "127.0.0.1", 7001)
                .incarnation("8f2c")
                .build();
        byte[] bytes = InstanceJson.toBytes(restarted);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"incarnation\":\"8f2c\"");
        assertThat(InstanceJson.fromBytes(bytes, "demo.UserService")).isEqualTo(restarted);

        ServiceInstance unknown =
                ServiceInstance.builder("demo.UserService", "127.0.0.1", 7001).build();
        assertThat(new String(InstanceJson.toBytes(unknown), StandardCharsets.UTF_8))
                .doesNotContain("incarnation");
        ServiceInstance older = InstanceJson.fromBytes(
                "{\"service\":\"demo.UserService\",\"host\":\"127.0.0.1\",\"port\":7001}"
                        .getBytes(StandardCharsets.UTF_8),
                "demo.UserService");
        assertThat(older.incarnation()).isEmpty();
    }
}
