package io.outrigger.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.RpcAttributes;
import io.outrigger.core.RpcException;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.ServerExtension;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MetricsTest {

    static final TestTelemetry otel = new TestTelemetry();
    static final OutriggerTelemetry telemetry = OutriggerTelemetry.create(otel.sdk);

    @RegisterExtension
    static final ServerExtension server = new ServerExtension(
            b -> telemetry
                    .instrument(b.service(EchoService.class, new EchoServiceImpl()))
                    // Inside the metrics interceptor, as a rate limiter would be: echoAsync is always refused.
                    .interceptor((request, next) -> request.method().equals("echoAsync")
                            ? CompletableFuture.completedFuture(
                                    RpcResponse.failure(Status.RESOURCE_EXHAUSTED.withDescription(
                                            "test.EchoService: rate limit of 0/s exceeded")))
                            : next.invoke(request)),
            telemetry::instrument);

    @AfterAll
    static void close() {
        otel.close();
    }

    static Attributes call(String method, String code, boolean error) {
        var b = Attributes.builder()
                .put(RpcAttributes.RPC_SYSTEM_NAME, "outrigger")
                .put(RpcAttributes.RPC_METHOD, "test.EchoService/" + method)
                .put(RpcAttributes.RPC_STATUS_CODE, code);
        if (error) {
            b.put(ErrorAttributes.ERROR_TYPE, code);
        }
        return b.build();
    }

    static HistogramPointData histogram(MetricData metric, Attributes attributes) {
        return metric.getHistogramData().getPoints().stream()
                .filter(p -> p.getAttributes().equals(attributes))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no point with " + attributes + " in " + metric));
    }

    static long sum(MetricData metric, Attributes attributes) {
        return metric.getLongSumData().getPoints().stream()
                .filter(p -> p.getAttributes().equals(attributes))
                .mapToLong(LongPointData::getValue)
                .sum();
    }

    @Test
    void callsAreMeasuredOnBothSidesWithConventionAttributes() {
        EchoService echo = server.client().refer(EchoService.class);
        for (int i = 0; i < 3; i++) {
            echo.echo(EchoRequest.newBuilder().setText("0123456789").build());
        }
        assertThatThrownBy(
                        () -> echo.fail(EchoRequest.newBuilder().setText("no").build()))
                .isInstanceOf(RpcException.class);
        assertThatThrownBy(() -> echo.echoAsync(EchoRequest.getDefaultInstance())
                        .toCompletableFuture()
                        .join())
                .hasCauseInstanceOf(RpcException.class);

        MetricData clientDuration = otel.metric("rpc.client.call.duration");
        assertThat(clientDuration.getUnit()).isEqualTo("s");
        HistogramPointData ok = histogram(clientDuration, call("echo", "OK", false));
        assertThat(ok.getCount()).isEqualTo(3);
        assertThat(ok.getSum()).isPositive().isLessThan(5.0);
        assertThat(histogram(clientDuration, call("fail", "INTERNAL", true)).getCount())
                .isEqualTo(1);

        MetricData serverDuration = otel.metric("rpc.server.call.duration");
        assertThat(histogram(serverDuration, call("echo", "OK", false)).getCount())
                .isEqualTo(3);
        // RESOURCE_EXHAUSTED is the caller's problem, not the server's: no error.type there.
        assertThat(histogram(serverDuration, call("echoAsync", "RESOURCE_EXHAUSTED", false))
                        .getCount())
                .isEqualTo(1);

        // Sizes: encoded bytes are known for what the wire delivered (server requests, client replies).
        HistogramPointData serverRequest = histogram(otel.metric("rpc.server.request.size"), call("echo", "OK", false));
        assertThat(serverRequest.getCount()).isEqualTo(3);
        assertThat(serverRequest.getSum() / 3).isGreaterThanOrEqualTo(12); // "0123456789" plus tag and length
        assertThat(otel.metric("rpc.client.response.size").getUnit()).isEqualTo("By");
        HistogramPointData clientResponse =
                histogram(otel.metric("rpc.client.response.size"), call("echo", "OK", false));
        assertThat(clientResponse.getCount()).isEqualTo(3);
        // Typed calls hand the chain message objects; their sizes come from the serializer and must
        // equal what the other side read off the wire.
        HistogramPointData clientRequest = histogram(otel.metric("rpc.client.request.size"), call("echo", "OK", false));
        assertThat(clientRequest.getCount()).isEqualTo(3);
        assertThat(clientRequest.getSum()).isEqualTo(serverRequest.getSum());
        HistogramPointData serverResponse =
                histogram(otel.metric("rpc.server.response.size"), call("echo", "OK", false));
        assertThat(serverResponse.getCount()).isEqualTo(3);
        assertThat(serverResponse.getSum()).isEqualTo(clientResponse.getSum());

        // Calls in flight go back to zero.
        Attributes clientActive = Attributes.of(
                RpcAttributes.RPC_SYSTEM_NAME, "outrigger", RpcAttributes.RPC_METHOD, "test.EchoService/echo");
        assertThat(sum(otel.metric("outrigger.client.calls.active"), clientActive))
                .isZero();
        assertThat(sum(
                        otel.metric("outrigger.server.calls.active"),
                        Attributes.of(RpcAttributes.RPC_SYSTEM_NAME, "outrigger")))
                .isZero();

        // The refusal is counted on both sides, by reason.
        Attributes rejected = call("echoAsync", "RESOURCE_EXHAUSTED", false).toBuilder()
                .put(OutriggerAttributes.REJECTION_REASON, "rate_limit")
                .build();
        assertThat(sum(otel.metric("outrigger.server.calls.rejected"), rejected))
                .isEqualTo(1);
        Attributes clientRejected = call("echoAsync", "RESOURCE_EXHAUSTED", true).toBuilder()
                .put(OutriggerAttributes.REJECTION_REASON, "rate_limit")
                .build();
        assertThat(sum(otel.metric("outrigger.client.calls.rejected"), clientRejected))
                .isEqualTo(1);
    }

    @Test
    void callsToMethodsTheServerLacksAreRecordedAsOther() {
        server.registry()
                .register(io.outrigger.core.registry.ServiceInstance.builder(
                                "test.NoSuchService", "127.0.0.1", server.port())
                        .build());
        RpcResponse response = server.client()
                .invoker("test.NoSuchService")
                .invoke(io.outrigger.core.RpcRequest.of(
                        "test.NoSuchService", "random123", io.outrigger.core.Payload.encoded((byte) 1, new byte[0])))
                .toCompletableFuture()
                .join();
        assertThat(response.status().code()).isEqualTo(Status.Code.UNIMPLEMENTED);

        MetricData serverDuration = otel.metric("rpc.server.call.duration");
        Attributes other = Attributes.builder()
                .put(RpcAttributes.RPC_SYSTEM_NAME, "outrigger")
                .put(RpcAttributes.RPC_METHOD, "_OTHER")
                .put(RpcAttributes.RPC_STATUS_CODE, "UNIMPLEMENTED")
                .put(ErrorAttributes.ERROR_TYPE, "UNIMPLEMENTED")
                .build();
        assertThat(histogram(serverDuration, other).getCount()).isEqualTo(1);
        assertThat(serverDuration.getHistogramData().getPoints())
                .noneMatch(p ->
                        "test.NoSuchService/random123".equals(p.getAttributes().get(RpcAttributes.RPC_METHOD)));
    }

    @Test
    void hooksRecordBreakerTransitionsNodeCacheAgeAndRegistryConnection() {
        telemetry.recordBreakerTransition("test.EchoService", "CLOSED", "OPEN");
        telemetry.recordBreakerTransition("test.EchoService", "CLOSED", "OPEN");
        assertThat(sum(
                        otel.metric("outrigger.breaker.transitions"),
                        Attributes.of(
                                OutriggerAttributes.BREAKER, "test.EchoService",
                                OutriggerAttributes.BREAKER_FROM, "CLOSED",
                                OutriggerAttributes.BREAKER_TO, "OPEN")))
                .isEqualTo(2);

        try (var states = telemetry.observeBreakerStates(
                () -> Map.of("test.EchoService/echo", "OPEN", "test.EchoService@127.0.0.1:7000", "FORCED_OPEN"))) {
            MetricData gauge = otel.metric("outrigger.breaker.state");
            Map<String, Long> points = new java.util.TreeMap<>();
            gauge.getLongGaugeData()
                    .getPoints()
                    .forEach(p -> points.put(
                            p.getAttributes().get(OutriggerAttributes.BREAKER) + " "
                                    + p.getAttributes().get(OutriggerAttributes.BREAKER_STATE),
                            p.getValue()));
            assertThat(points)
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            "test.EchoService/echo CLOSED", 0L,
                            "test.EchoService/echo OPEN", 1L,
                            "test.EchoService/echo HALF_OPEN", 0L,
                            "test.EchoService@127.0.0.1:7000 CLOSED", 0L,
                            "test.EchoService@127.0.0.1:7000 OPEN", 0L,
                            "test.EchoService@127.0.0.1:7000 HALF_OPEN", 0L,
                            "test.EchoService@127.0.0.1:7000 FORCED_OPEN", 1L));
        }

        try (var age = telemetry.observeNodeCacheAge(() -> Map.of("demo.UserService", Duration.ofMillis(1500)))) {
            MetricData gauge = otel.metric("outrigger.node_cache.age");
            assertThat(gauge.getUnit()).isEqualTo("s");
            assertThat(gauge.getDoubleGaugeData().getPoints()).singleElement().satisfies(p -> {
                assertThat(p.getValue()).isEqualTo(1.5);
                assertThat(p.getAttributes().get(OutriggerAttributes.SERVICE)).isEqualTo("demo.UserService");
            });
        }

        try (var held = telemetry.observeHeldInstances(
                () -> Map.of("demo.UserService", List.of("127.0.0.1:7001", "127.0.0.1:7002")))) {
            MetricData gauge = otel.metric("outrigger.client.instances.held");
            assertThat(gauge.getLongGaugeData().getPoints()).singleElement().satisfies(p -> {
                assertThat(p.getValue()).isEqualTo(2);
                assertThat(p.getAttributes().get(OutriggerAttributes.SERVICE)).isEqualTo("demo.UserService");
            });
        }

        AtomicBoolean connected = new AtomicBoolean(true);
        var registration = telemetry.observeRegistryConnection("zookeeper", connected::get);
        assertThat(otel.metric("outrigger.registry.connected")
                        .getLongGaugeData()
                        .getPoints())
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.getValue()).isEqualTo(1);
                    assertThat(p.getAttributes().get(OutriggerAttributes.REGISTRY))
                            .isEqualTo("zookeeper");
                });
        connected.set(false);
        assertThat(otel.metric("outrigger.registry.connected")
                        .getLongGaugeData()
                        .getPoints())
                .singleElement()
                .satisfies(p -> assertThat(p.getValue()).isZero());
        registration.close();
        assertThat(otel.metrics.collectAllMetrics()).noneMatch(m -> m.getName().equals("outrigger.registry.connected"));
    }
}
