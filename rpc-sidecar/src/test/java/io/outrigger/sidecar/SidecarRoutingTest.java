package io.outrigger.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.governance.LoadBalancing;
import io.outrigger.sidecar.Python.Answer;
import io.outrigger.sidecar.Python.Request;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A python3 caller picks the provider version and group per request with {@code X-Outrigger-Version}
 * and {@code X-Outrigger-Group}: providers 1.0.0 (group blue) and 2.0.0 (group green).
 */
class SidecarRoutingTest {

    static final String ECHO = "/rpc/test.EchoService/echo";
    static final String PROTOBUF = "application/x-protobuf";

    static final EchoServiceImpl v1 = new EchoServiceImpl();
    static final EchoServiceImpl v2 = new EchoServiceImpl();
    static StaticRegistry registry;
    static RpcServer server1;
    static RpcServer server2;
    static Sidecar sidecar;

    @BeforeAll
    static void start() {
        registry = new StaticRegistry();
        server1 = provider(v1, b -> b.version("1.0.0").group("blue"));
        server2 = provider(v2, b -> b.version("2.0.0").group("green"));
        sidecar = Sidecar.start(
                SidecarConfig.builder()
                        .http("127.0.0.1:0")
                        .loadBalancing(LoadBalancing.ROUND_ROBIN)
                        .build(),
                registry);
    }

    static RpcServer provider(EchoServiceImpl impl, Consumer<ServiceInstance.Builder> instance) {
        return RpcServer.builder()
                .host("127.0.0.1")
                .port(0)
                .registry(registry)
                .instance(instance)
                .propagationDelay(Duration.ZERO)
                .service(EchoService.class, impl)
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        sidecar.close();
        server1.shutdown(Duration.ofSeconds(2));
        server2.shutdown(Duration.ofSeconds(2));
    }

    @Test
    void headersChooseTheVersionAndGroupOfEachRequest() throws Exception {
        int before1 = v1.completed.get();
        int before2 = v2.completed.get();
        List<Answer> answers = Python.call(
                sidecar.httpPort(),
                Request.post(ECHO, PROTOBUF).echo("a", 0).header("X-Outrigger-Version", "2.*"),
                Request.post(ECHO, PROTOBUF).echo("b", 0).header("X-Outrigger-Version", "1.0.0"),
                Request.post(ECHO, PROTOBUF).echo("c", 0).header("X-Outrigger-Version", "2.0.0"),
                Request.post(ECHO, PROTOBUF).echo("d", 0).header("X-Outrigger-Version", "1.0.0, 1.1.*"),
                Request.post(ECHO, PROTOBUF).echo("e", 0).header("X-Outrigger-Group", "green"),
                Request.post(ECHO, PROTOBUF).echo("f", 0).header("X-Outrigger-Group", "green"),
                Request.post(ECHO, PROTOBUF)
                        .echo("g", 0)
                        .header("X-Outrigger-Version", "*")
                        .header("X-Outrigger-Group", "blue"));
        assertThat(answers).extracting(Answer::status).containsOnly(200);
        assertThat(answers).extracting(Answer::replyText).containsExactly("a", "b", "c", "d", "e", "f", "g");
        assertThat(v1.completed.get() - before1).isEqualTo(3); // b, d, g
        assertThat(v2.completed.get() - before2).isEqualTo(4); // a, c, e, f
    }

    @Test
    void noMatchingProviderIs503NamingTheVersionsThatExist() throws Exception {
        List<Answer> answers = Python.call(
                sidecar.httpPort(),
                Request.post(ECHO, PROTOBUF).echo("x", 0).header("X-Outrigger-Version", "3.*"),
                Request.post(ECHO, PROTOBUF).echo("y", 0).header("X-Outrigger-Group", "purple"),
                Request.post(ECHO, PROTOBUF).echo("z", 0).header("X-Outrigger-Version", "2.*.0"));

        Answer noVersion = answers.get(0);
        assertThat(noVersion.status()).isEqualTo(503);
        assertThat(noVersion.header("X-Outrigger-Status")).isEqualTo("UNAVAILABLE");
        assertThat(noVersion.json("message"))
                .startsWith("no provider of test.EchoService matches version=3.* (asked per call in metadata"
                        + " outrigger-version); the 2 candidates have version=1.0.0 (1 provider), 2.0.0 (1"
                        + " provider)");

        Answer noGroup = answers.get(1);
        assertThat(noGroup.status()).isEqualTo(503);
        assertThat(noGroup.json("message"))
                .contains("group=purple", "the 2 candidates have group=blue (1 provider), green (1 provider)");

        Answer malformed = answers.get(2);
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.json("status")).isEqualTo("INVALID_ARGUMENT");
        assertThat(malformed.json("message")).contains("outrigger-version", "2.*.0");
    }
}
