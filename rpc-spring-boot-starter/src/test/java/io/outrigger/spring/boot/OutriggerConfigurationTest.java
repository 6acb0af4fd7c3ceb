package io.outrigger.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.governance.LoadBalancing;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** Property binding, defaults, conditions, and startup failures that name what is wrong. */
class OutriggerConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(OutriggerAutoConfiguration.class, OutriggerActuatorAutoConfiguration.class));

    @Test
    void nothingHappensWithoutARegistryAddress() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(OutriggerClients.class);
            assertThat(context).doesNotHaveBean(OutriggerServer.class);
            assertThat(context).doesNotHaveBean(OutriggerProperties.class);
        });
    }

    @Test
    void enabledFalseSwitchesEverythingOff() {
        runner.withPropertyValues("outrigger.registry.address=static", "outrigger.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(OutriggerClients.class));
    }

    @Test
    void defaults() {
        runner.withPropertyValues("outrigger.registry.address=static").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).hasSingleBean(OutriggerClients.class);
            assertThat(context).hasSingleBean(OutriggerServer.class);
            assertThat(context).hasSingleBean(OutriggerHealthIndicator.class);
            assertThat(context).hasSingleBean(OutriggerInfoContributor.class);
            assertThat(context.getBean(io.outrigger.core.registry.Registry.class))
                    .isInstanceOf(StaticRegistry.class);
            OutriggerProperties p = context.getBean(OutriggerProperties.class);
            assertThat(p.getRegistry().getNamespace()).isEqualTo("outrigger");
            assertThat(p.getRegistry().getSessionTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(p.getServer().getHost()).isEqualTo("0.0.0.0");
            assertThat(p.getServer().getPort()).isZero();
            assertThat(p.getServer().getWorkerThreads()).isEqualTo(200);
            assertThat(p.getServer().getQueueCapacity()).isEqualTo(1000);
            assertThat(p.getServer().getDrainTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(p.getServer().getPropagationDelay()).isEqualTo(Duration.ofSeconds(1));
            assertThat(p.getServer().getWeight()).isEqualTo(100);
            assertThat(p.getServer().getMaxConnections()).isEqualTo(10_000);
            assertThat(p.getServer().getMaxConcurrentCallsPerConnection()).isEqualTo(1_024);
            assertThat(p.getClient().getDefaultTimeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(p.getClient().getMaxAttempts()).isEqualTo(3);
            assertThat(p.getClient().getLoadBalancer()).isEqualTo(LoadBalancing.PEAK_EWMA);
            assertThat(p.getClient().getConnectionsPerEndpoint()).isEqualTo(1);
            assertThat(p.getTracing().isEnabled()).isTrue();
            assertThat(p.getAdmin().isEnabled()).isFalse();
        });
    }

    @Test
    void binding() {
        runner.withPropertyValues(
                        "outrigger.registry.address=zookeeper://127.0.0.1:1/chroot",
                        "outrigger.registry.namespace=apps",
                        "outrigger.registry.session-timeout=7s",
                        "outrigger.server.port=7123",
                        "outrigger.server.worker-threads=16",
                        "outrigger.server.max-connections=50",
                        "outrigger.server.max-connections-per-address=5",
                        "outrigger.server.max-concurrent-calls-per-connection=100",
                        "outrigger.server.drain-timeout=250ms",
                        "outrigger.server.tags=a,b",
                        "outrigger.server.version=2.0",
                        "outrigger.client.load-balancer=least-outstanding",
                        "outrigger.client.max-attempts=1",
                        "outrigger.client.default-timeout=PT0.5S",
                        "outrigger.tracing.enabled=false")
                .run(context -> {
                    // Binding only: nothing is started, so the unreachable ZooKeeper does not matter.
                    OutriggerProperties p = context.getBean(OutriggerProperties.class);
                    assertThat(p.getRegistry().getAddress()).isEqualTo("zookeeper://127.0.0.1:1/chroot");
                    assertThat(p.getRegistry().getNamespace()).isEqualTo("apps");
                    assertThat(p.getRegistry().getSessionTimeout()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(p.getServer().getPort()).isEqualTo(7123);
                    assertThat(p.getServer().getWorkerThreads()).isEqualTo(16);
                    assertThat(p.getServer().getMaxConnections()).isEqualTo(50);
                    assertThat(p.getServer().getMaxConnectionsPerAddress()).isEqualTo(5);
                    assertThat(p.getServer().getMaxConcurrentCallsPerConnection())
                            .isEqualTo(100);
                    assertThat(p.getServer().getDrainTimeout()).isEqualTo(Duration.ofMillis(250));
                    assertThat(p.getServer().getTags()).containsExactly("a", "b");
                    assertThat(p.getServer().getVersion()).isEqualTo("2.0");
                    assertThat(p.getClient().getLoadBalancer()).isEqualTo(LoadBalancing.LEAST_OUTSTANDING);
                    assertThat(p.getClient().getMaxAttempts()).isEqualTo(1);
                    assertThat(p.getClient().getDefaultTimeout()).isEqualTo(Duration.ofMillis(500));
                    assertThat(p.getTracing().isEnabled()).isFalse();
                });
    }

    @Test
    void aPortOutOfRangeFailsAtStartupNamingTheProperty() {
        runner.withPropertyValues("outrigger.registry.address=static", "outrigger.server.port=-1")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(context.getStartupFailure())
                            .rootCause()
                            .isInstanceOf(InvalidConfigurationPropertyValueException.class)
                            .hasMessageContaining("outrigger.server.port")
                            .hasMessageContaining("'-1'")
                            .hasMessageContaining("expected 0..65535");
                });
    }

    @Test
    void otherWrongValuesNameTheirProperty() {
        expectFailure("outrigger.client.max-attempts=0", "outrigger.client.max-attempts", "1..10");
        expectFailure("outrigger.server.weight=20000", "outrigger.server.weight", "0..10000");
        expectFailure("outrigger.server.max-connections=0", "outrigger.server.max-connections", "1..1000000");
        expectFailure("outrigger.server.drain-timeout=-1s", "outrigger.server.drain-timeout", ">= 0");
        expectFailure("outrigger.client.deadline-margin=-5ms", "outrigger.client.deadline-margin", ">= 0");
        expectFailure("outrigger.client.propagate-keys=Tenant", "outrigger.client.propagate-keys", "lowercase ASCII");
        runner.withPropertyValues("outrigger.registry.address=zookeepr://127.0.0.1:2181")
                .run(context -> assertThat(context.getStartupFailure())
                        .rootCause()
                        .hasMessageContaining("outrigger.registry.address")
                        .hasMessageContaining("zookeepr://"));
        runner.withPropertyValues("outrigger.registry.address=static", "outrigger.client.load-balancer=fastest")
                .run(context -> assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("outrigger.client.load-balancer")
                        .hasStackTraceContaining("fastest"));
    }

    private void expectFailure(String property, String name, String expected) {
        runner.withPropertyValues("outrigger.registry.address=static", property)
                .run(context -> assertThat(context.getStartupFailure())
                        .rootCause()
                        .hasMessageContaining(name)
                        .hasMessageContaining(expected));
    }

    @Test
    void aServiceBeanWithoutAServiceInterfaceFailsNamingTheBean() {
        runner.withPropertyValues("outrigger.registry.address=static", "outrigger.server.host=127.0.0.1")
                .withUserConfiguration(NotAService.class)
                .run(context -> assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("@RpcService on bean")
                        .hasStackTraceContaining("notAService")
                        .hasStackTraceContaining("implements no service interface"));
    }

    @Test
    void aServiceBeanWithTwoServiceInterfacesMustNameOne() {
        runner.withPropertyValues("outrigger.registry.address=static", "outrigger.server.host=127.0.0.1")
                .withUserConfiguration(TwoServices.class)
                .run(context -> assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("both")
                        .hasStackTraceContaining("several service interfaces")
                        .hasStackTraceContaining("@RpcService(type = ...)"));
    }

    @Test
    void typeNamesTheInterfaceAndStaticAddressesServeInProcess() {
        runner.withPropertyValues(
                        "outrigger.registry.address=static",
                        "outrigger.server.host=127.0.0.1",
                        "outrigger.server.propagation-delay=0s")
                .withUserConfiguration(OneOfTwo.class, BadTimeoutFree.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    OutriggerServer server = context.getBean(OutriggerServer.class);
                    assertThat(server.exported())
                            .singleElement()
                            .satisfies(e -> assertThat(e.type()).isEqualTo(EchoService.class));
                    // "static": providers register in the in-process registry, so this process can call itself.
                    EchoService echo = context.getBean(OutriggerClients.class).reference(EchoService.class, "", "");
                    assertThat(echo.echo(io.outrigger.serialization.testing.proto.EchoRequest.newBuilder()
                                            .setText("self")
                                            .build())
                                    .getText())
                            .isEqualTo("self");
                });
    }

    @Test
    void aBadReferenceTimeoutFailsNamingTheBeanAndField() {
        runner.withPropertyValues("outrigger.registry.address=static")
                .withUserConfiguration(BadTimeout.class)
                .run(context -> assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("bean 'badTimeoutBean' field 'echo'")
                        .hasStackTraceContaining("@RpcReference(timeout = \"soon\")"));
    }

    @Test
    void aMissingFallbackBeanFailsNamingTheBeanAndField() {
        runner.withPropertyValues("outrigger.registry.address=static")
                .withUserConfiguration(MissingFallback.class)
                .run(context -> assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("field 'echo'")
                        .hasStackTraceContaining("@RpcReference(fallback = \"nope\"): no bean named 'nope'"));
    }

    @Test
    void aReferenceToANonServiceTypeFailsNamingTheParameter() {
        runner.withPropertyValues("outrigger.registry.address=static")
                .withUserConfiguration(NotAServiceReference.class)
                .run(context -> assertThat(context.getStartupFailure())
                        .hasStackTraceContaining("constructor parameter 'name'")
                        .hasStackTraceContaining("@RpcReference needs a service interface"));
    }

    @Test
    void configurationMetadataIsGeneratedWithDescriptions() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).isNotNull();
            String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(json)
                    .contains("\"outrigger.server.port\"")
                    .contains("\"outrigger.registry.address\"")
                    .contains("\"outrigger.client.load-balancer\"")
                    .contains("How long shutdown waits for calls in flight");
        }
    }

    @Configuration
    static class NotAService {
        @Bean
        @RpcService
        Runnable notAService() {
            return () -> {};
        }
    }

    @Configuration
    static class TwoServices {
        @Bean
        @RpcService
        EchoServiceImpl both() {
            return new EchoServiceImpl();
        }
    }

    @Configuration
    static class OneOfTwo {
        @Bean
        @RpcService(type = EchoService.class)
        EchoServiceImpl both() {
            return new EchoServiceImpl();
        }
    }

    @Configuration
    static class BadTimeoutFree {}

    static class BadTimeoutBean {
        @RpcReference(timeout = "soon")
        EchoService echo;
    }

    @Configuration
    static class BadTimeout {
        @Bean
        BadTimeoutBean badTimeoutBean() {
            return new BadTimeoutBean();
        }
    }

    static class MissingFallbackBean {
        @RpcReference(fallback = "nope")
        EchoService echo;
    }

    @Configuration
    @Import(MissingFallbackBean.class)
    static class MissingFallback {}

    static class NotAServiceReferenceBean {
        NotAServiceReferenceBean(@RpcReference String name) {}
    }

    @Configuration
    @Import(NotAServiceReferenceBean.class)
    static class NotAServiceReference {}
}
