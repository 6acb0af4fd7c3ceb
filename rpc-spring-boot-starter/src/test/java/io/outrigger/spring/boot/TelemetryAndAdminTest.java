package io.outrigger.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.outrigger.core.testing.EchoService;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** The application's OpenTelemetry bean traces calls; the admin endpoint shows live state. */
class TelemetryAndAdminTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(OutriggerAutoConfiguration.class))
            .withPropertyValues(
                    "outrigger.registry.address=static",
                    "outrigger.server.host=127.0.0.1",
                    "outrigger.server.propagation-delay=0s",
                    "outrigger.server.io-threads=1",
                    "outrigger.client.io-threads=1");

    @Test
    void callsAreTracedWithTheApplicationsOpenTelemetry() {
        runner.withUserConfiguration(WithOpenTelemetry.class).run(context -> {
            InMemorySpanExporter spans = context.getBean(InMemorySpanExporter.class);
            EchoService echo = context.getBean(OutriggerClients.class).reference(EchoService.class, "", "");
            assertThat(context.getBeanProvider(OpenTelemetry.class).getIfUnique())
                    .isNotNull();
            echo.echo(EchoRequest.newBuilder().setText("traced").build());
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(spans.getFinishedSpanItems())
                            .extracting(s -> s.getKind())
                            .contains(SpanKind.CLIENT, SpanKind.SERVER));
        });
    }

    @Test
    void tracingOffLeavesCallsUntraced() {
        runner.withUserConfiguration(WithOpenTelemetry.class)
                .withPropertyValues("outrigger.tracing.enabled=false")
                .run(context -> {
                    InMemorySpanExporter spans = context.getBean(InMemorySpanExporter.class);
                    EchoService echo = context.getBean(OutriggerClients.class).reference(EchoService.class, "", "");
                    echo.echo(EchoRequest.newBuilder().setText("untraced").build());
                    assertThat(spans.getFinishedSpanItems()).isEmpty();
                });
    }

    @Test
    void adminEndpointShowsExportedAndReferencedServices() {
        runner.withUserConfiguration(WithOpenTelemetry.class)
                .withPropertyValues("outrigger.admin.enabled=true", "outrigger.admin.port=0")
                .run(context -> {
                    EchoService echo = context.getBean(OutriggerClients.class).reference(EchoService.class, "", "");
                    echo.echo(EchoRequest.newBuilder().setText("x").build());
                    int port = context.getBean(OutriggerAutoConfiguration.OutriggerAdmin.class)
                            .port();
                    HttpResponse<String> admin = HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin"))
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                    assertThat(admin.statusCode()).isEqualTo(200);
                    assertThat(admin.body()).contains("exported", "referenced", "test.EchoService");
                    // The method breaker the call made, in the breakers section and the state gauge.
                    assertThat(admin.body())
                            .containsPattern("\"breakers\": ?\\{[^}]*\"test.EchoService/echo\": ?\"CLOSED\"");
                    InMemoryMetricReader metrics = context.getBean(InMemoryMetricReader.class);
                    assertThat(metrics.collectAllMetrics())
                            .filteredOn(m -> m.getName().equals("outrigger.breaker.state"))
                            .singleElement()
                            .satisfies(m -> assertThat(m.getLongGaugeData().getPoints())
                                    .anySatisfy(p -> {
                                        assertThat(p.getAttributes().asMap().values())
                                                .contains("test.EchoService/echo", "CLOSED");
                                        assertThat(p.getValue()).isEqualTo(1);
                                    }));
                });
    }

    @Configuration
    @Import(TestApps.Echo.class)
    static class WithOpenTelemetry {
        @Bean
        InMemorySpanExporter spans() {
            return InMemorySpanExporter.create();
        }

        @Bean
        InMemoryMetricReader metrics() {
            return InMemoryMetricReader.create();
        }

        @Bean
        OpenTelemetry openTelemetry(InMemorySpanExporter spans, InMemoryMetricReader metrics) {
            // One SDK per context: closing a context shuts its SDK and exporter down.
            return OpenTelemetrySdk.builder()
                    .setTracerProvider(SdkTracerProvider.builder()
                            .addSpanProcessor(SimpleSpanProcessor.create(spans))
                            .build())
                    .setMeterProvider(SdkMeterProvider.builder()
                            .registerMetricReader(metrics)
                            .build())
                    .build();
        }
    }
}
