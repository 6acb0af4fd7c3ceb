package io.outrigger.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.examples.spring.consumer.ConsumerApplication;
import io.outrigger.examples.spring.consumer.HelloController;
import io.outrigger.examples.spring.provider.ProviderApplication;
import java.nio.file.Path;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The two example applications, with their own configuration files, call each other. */
class ExamplesTest {

    @TempDir
    Path cache;

    @Test
    void consumerGreetsThroughTheProvider() throws Exception {
        InstanceSpec spec = new InstanceSpec(
                null, -1, -1, -1, true, -1, 500, -1, Map.of("clientPortAddress", "127.0.0.1"), "127.0.0.1");
        try (TestingServer zk = new TestingServer(spec, true);
                ConfigurableApplicationContext provider = run(ProviderApplication.class, "provider", zk);
                ConfigurableApplicationContext consumer = run(ConsumerApplication.class, "consumer", zk)) {
            Map<String, String> reply = consumer.getBean(HelloController.class).hello("Ada");
            assertThat(reply).containsEntry("message", "Hello, Ada!");
            assertThat(reply.get("provider")).startsWith("127.0.0.1:");
        }
    }

    private ConfigurableApplicationContext run(Class<?> app, String name, TestingServer zk) {
        return new SpringApplicationBuilder(app)
                .properties("spring.config.name=" + name)
                .run(
                        "--outrigger.registry.address=zookeeper://" + zk.getConnectString(),
                        "--outrigger.registry.cache-directory=" + cache,
                        "--outrigger.server.propagation-delay=0s",
                        "--server.port=0");
    }
}
