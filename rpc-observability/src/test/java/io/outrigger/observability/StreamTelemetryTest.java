package io.outrigger.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.outrigger.core.stream.Streams;
import io.outrigger.core.testing.HeldPublisher;
import io.outrigger.core.testing.ServerExtension;
import io.outrigger.core.testing.StreamService;
import io.outrigger.core.testing.TestSubscriber;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A stream is one span and one call per side, with its message counts; open streams are a gauge. */
class StreamTelemetryTest {

    static final TestTelemetry otel = new TestTelemetry();
    static final OutriggerTelemetry telemetry = OutriggerTelemetry.create(otel.sdk);

    /** Counts up to {@code sleep_millis}; holds "hold" streams open. */
    static final class Service implements StreamService {
        @Override
        public Flow.Publisher<EchoReply> count(EchoRequest request) {
            return Streams.publisher(ForkJoinPool.commonPool(), sink -> {
                for (int i = 0; i < request.getSleepMillis(); i++) {
                    sink.send(EchoReply.newBuilder().setText("n-" + i).build());
                }
            });
        }

        @Override
        public CompletionStage<EchoReply> join(Flow.Publisher<EchoRequest> requests) {
            return new CompletableFuture<>();
        }

        @Override
        public Flow.Publisher<EchoReply> hold(EchoRequest request) {
            return new HeldPublisher(request.getText());
        }

        @Override
        public Flow.Publisher<EchoReply> shout(Flow.Publisher<EchoRequest> requests) {
            return new HeldPublisher("shout");
        }
    }

    @RegisterExtension
    static final ServerExtension server = new ServerExtension(
            b -> telemetry.instrument(b.service(StreamService.class, new Service())), telemetry::instrument);

    @AfterAll
    static void close() {
        HeldPublisher.completeAll();
        otel.close();
    }

    private static long sum(String metric) {
        return otel.metric(metric).getLongSumData().getPoints().stream()
                .mapToLong(LongPointData::getValue)
                .sum();
    }

    @Test
    void aStreamIsOneSpanPerSideWithItsMessageCountsAndCountsInTheMetrics() throws Exception {
        StreamService streams = server.client().reference(StreamService.class).build();
        TestSubscriber<EchoReply> s = new TestSubscriber<>(Long.MAX_VALUE);
        streams.count(EchoRequest.newBuilder().setSleepMillis(20).build()).subscribe(s);
        assertThat(s.done.get(10, TimeUnit.SECONDS)).isNull();

        SpanData client = otel.awaitSpans(SpanKind.CLIENT, 1).get(0);
        SpanData served = otel.awaitSpans(SpanKind.SERVER, 1).get(0);
        assertThat(client.getName()).isEqualTo("test.Streams/count");
        assertThat(client.getAttributes().get(OutriggerAttributes.MESSAGES_RECEIVED))
                .isEqualTo(20L);
        assertThat(client.getAttributes().get(OutriggerAttributes.MESSAGES_SENT))
                .isZero();
        assertThat(served.getAttributes().get(OutriggerAttributes.MESSAGES_SENT))
                .isEqualTo(20L);
        assertThat(served.getTraceId()).isEqualTo(client.getTraceId());

        assertThat(sum("rpc.client.stream.messages.received")).isEqualTo(20);
        assertThat(sum("rpc.server.stream.messages.sent")).isEqualTo(20);
    }

    @Test
    void openStreamsAreAGaugeOnBothSides() throws Exception {
        StreamService streams = server.client().reference(StreamService.class).build();
        TestSubscriber<EchoReply> s = new TestSubscriber<>(Long.MAX_VALUE);
        streams.hold(EchoRequest.newBuilder().setText("h").build()).subscribe(s);
        Awaitility.await().until(() -> s.items.size() == 1);

        assertThat(sum("outrigger.client.streams.active")).isEqualTo(1);
        Awaitility.await().until(() -> sum("outrigger.server.streams.active") == 1);

        HeldPublisher.completeAll();
        assertThat(s.done.get(10, TimeUnit.SECONDS)).isNull();
        Awaitility.await()
                .until(() ->
                        sum("outrigger.client.streams.active") == 0 && sum("outrigger.server.streams.active") == 0);
    }
}
