package io.outrigger.sidecar;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A caller's {@code traceparent} continues through the sidecar into the provider (in-memory SDK). */
class SidecarTracingTest {

    static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String CALLER_SPAN = "00f067aa0ba902b7";

    @Test
    void theCallersTraceContinuesIntoTheProvider() throws Exception {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        SdkTracerProvider tracerProvider = SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(tracerProvider)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        AtomicReference<String> seenByProvider = new AtomicReference<>();
        StaticRegistry registry = new StaticRegistry();
        RpcServer provider = RpcServer.builder()
                .host("127.0.0.1")
                .announceHost("127.0.0.1")
                .port(0)
                .propagationDelay(Duration.ZERO)
                .registry(registry)
                .interceptor((request, next) -> {
                    seenByProvider.set(request.metadata().get("traceparent"));
                    return next.invoke(request);
                })
                .service(EchoService.class, new EchoServiceImpl())
                .build()
                .start();
        try (Sidecar sidecar =
                Sidecar.start(SidecarConfig.builder().http("127.0.0.1:0").build(), registry, sdk)) {
            HttpResponse<byte[]> r = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(
                                            "http://127.0.0.1:" + sidecar.httpPort() + "/rpc/test.EchoService/echo"))
                                    .header("Content-Type", "application/x-protobuf")
                                    .header("traceparent", "00-" + TRACE_ID + "-" + CALLER_SPAN + "-01")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(
                                            echoRequest("traced").toByteArray()))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).isEqualTo(200);

            // Same trace; the parent the provider sees is the sidecar's span, not the caller's.
            assertThat(seenByProvider.get()).startsWith("00-" + TRACE_ID + "-").doesNotContain(CALLER_SPAN);
            await().atMost(Duration.ofSeconds(5))
                    .until(() ->
                            exporter.getFinishedSpanItems().stream().anyMatch(s -> s.getKind() == SpanKind.CLIENT));
            SpanData call = exporter.getFinishedSpanItems().stream()
                    .filter(s -> s.getKind() == SpanKind.CLIENT
                            && s.getParentSpanId().equals(CALLER_SPAN))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError(
                            "no client span under the caller's: " + exporter.getFinishedSpanItems()));
            assertThat(call.getTraceId()).isEqualTo(TRACE_ID);
            String providerParent = seenByProvider.get().split("-")[2];
            assertThat(exporter.getFinishedSpanItems())
                    .anySatisfy(s -> assertThat(s.getSpanId()).isEqualTo(providerParent));
        } finally {
            provider.shutdown(Duration.ofSeconds(2));
            tracerProvider.close();
        }
    }
}
