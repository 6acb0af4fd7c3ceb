package io.outrigger.observability;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.awaitility.Awaitility;

/** An OpenTelemetry SDK exporting to memory, with W3C trace context propagation. */
final class TestTelemetry implements AutoCloseable {

    final InMemorySpanExporter spans = InMemorySpanExporter.create();
    final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .setMeterProvider(
                    SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
            .build();

    /** Waits until {@code count} spans of {@code kind} have ended, and returns them. */
    List<SpanData> awaitSpans(SpanKind kind, int count) {
        return Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> ofKind(kind), list -> list.size() >= count);
    }

    List<SpanData> ofKind(SpanKind kind) {
        return spans.getFinishedSpanItems().stream()
                .filter(s -> s.getKind() == kind)
                .toList();
    }

    /** The metric named {@code name} as collected now. */
    MetricData metric(String name) {
        Collection<MetricData> all = metrics.collectAllMetrics();
        return all.stream()
                .filter(m -> m.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name + " in "
                        + all.stream().map(MetricData::getName).toList()));
    }

    @Override
    public void close() {
        sdk.close();
    }
}
