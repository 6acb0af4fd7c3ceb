package io.outrigger.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.semconv.RpcAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.Interceptor;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A call retried on another provider shows each attempt, and each server span hangs under its attempt. */
class RetryTracingTest {

    final TestTelemetry otel = new TestTelemetry();
    final OutriggerTelemetry telemetry = OutriggerTelemetry.create(otel.sdk);
    RpcServer down;
    RpcServer up;
    RpcClient client;

    /** Retries once on UNAVAILABLE, numbering the attempt and avoiding the endpoint tried first. */
    static final Interceptor RETRY_ONCE = (request, next) -> {
        Set<String> tried = ConcurrentHashMap.newKeySet();
        var first = request.withAttribute(CallAttributes.TRIED_ENDPOINTS, tried);
        return next.invoke(first).thenCompose(response -> {
            if (response.status().code() != Status.Code.UNAVAILABLE) {
                return CompletableFuture.completedFuture(response);
            }
            return next.invoke(first.withAttribute(CallAttributes.ATTEMPT, 2));
        });
    };

    /** Notes each attempt's endpoint in the call's tried set (a retry policy's job in real life). */
    static final Interceptor NOTE_TRIED = (request, next) -> {
        Set<String> tried = request.attributes().get(CallAttributes.TRIED_ENDPOINTS);
        if (tried != null) {
            tried.add(
                    request.attributes().get(CallAttributes.ENDPOINT).instance().id());
        }
        return next.invoke(request);
    };

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        for (RpcServer s : new RpcServer[] {down, up}) {
            if (s != null) {
                s.shutdown(Duration.ofSeconds(2));
            }
        }
        otel.close();
    }

    @Test
    void retriedCallShowsEachAttemptWithItsEndpoint() {
        Interceptor shuttingDown = (request, next) -> CompletableFuture.completedFuture(
                RpcResponse.failure(Status.UNAVAILABLE.withDescription("provider is shutting down")));
        down = telemetry
                .instrument(RpcServer.builder().host("127.0.0.1").service(EchoService.class, new EchoServiceImpl()))
                .interceptor(shuttingDown)
                .build()
                .start();
        up = telemetry
                .instrument(RpcServer.builder().host("127.0.0.1").service(EchoService.class, new EchoServiceImpl()))
                .build()
                .start();
        StaticRegistry registry = StaticRegistry.of(
                ServiceInstance.builder("test.EchoService", "127.0.0.1", down.port())
                        .build(),
                ServiceInstance.builder("test.EchoService", "127.0.0.1", up.port())
                        .build());
        client = telemetry
                .instrument(RpcClient.builder().registry(registry))
                // First candidate in registry order: the first attempt goes to the provider that is down.
                .loadBalancer(service -> (candidates, request) -> candidates.get(0))
                .retry(RETRY_ONCE)
                .endpointInterceptor(NOTE_TRIED)
                .build();

        String text = client.refer(EchoService.class)
                .echo(EchoRequest.newBuilder().setText("again").build())
                .getText();
        assertThat(text).isEqualTo("again");

        SpanData call = otel.awaitSpans(SpanKind.CLIENT, 1).get(0);
        List<SpanData> attempts = otel.awaitSpans(SpanKind.INTERNAL, 2).stream()
                .sorted(Comparator.comparing(s -> s.getAttributes().get(OutriggerAttributes.ATTEMPT)))
                .toList();
        List<SpanData> servers = otel.awaitSpans(SpanKind.SERVER, 2);

        assertThat(call.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(call.getAttributes().get(OutriggerAttributes.ATTEMPTS)).isEqualTo(2L);
        assertThat(call.getAttributes().get(ServerAttributes.SERVER_PORT)).isEqualTo((long) up.port());

        SpanData first = attempts.get(0);
        SpanData second = attempts.get(1);
        assertThat(first.getAttributes().get(OutriggerAttributes.ATTEMPT)).isEqualTo(1L);
        assertThat(second.getAttributes().get(OutriggerAttributes.ATTEMPT)).isEqualTo(2L);
        assertThat(List.of(first, second)).allSatisfy(a -> {
            assertThat(a.getParentSpanId()).isEqualTo(call.getSpanId());
            assertThat(a.getTraceId()).isEqualTo(call.getTraceId());
        });
        assertThat(first.getAttributes().get(ServerAttributes.SERVER_PORT)).isEqualTo((long) down.port());
        assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(first.getStatus().getDescription()).contains("UNAVAILABLE", "shutting down");
        assertThat(second.getAttributes().get(ServerAttributes.SERVER_PORT)).isEqualTo((long) up.port());
        assertThat(second.getAttributes().get(RpcAttributes.RPC_STATUS_CODE)).isEqualTo("OK");

        // Each provider's server span is the child of the attempt that reached it.
        SpanData downSpan = servers.stream()
                .filter(s -> s.getParentSpanId().equals(first.getSpanId()))
                .findFirst()
                .orElseThrow();
        SpanData upSpan = servers.stream()
                .filter(s -> s.getParentSpanId().equals(second.getSpanId()))
                .findFirst()
                .orElseThrow();
        assertThat(downSpan.getAttributes().get(RpcAttributes.RPC_STATUS_CODE)).isEqualTo("UNAVAILABLE");
        assertThat(downSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(upSpan.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }
}
