package io.outrigger.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.semconv.ClientAttributes;
import io.opentelemetry.semconv.ErrorAttributes;
import io.opentelemetry.semconv.RpcAttributes;
import io.opentelemetry.semconv.ServerAttributes;
import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.ServerExtension;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.MDC;

class TracingTest {

    static final TestTelemetry otel = new TestTelemetry();
    static final OutriggerTelemetry telemetry = OutriggerTelemetry.create(otel.sdk);

    /** Remembers what service code saw of the current span and the MDC. */
    static final class SeeingEcho implements EchoService {
        final EchoServiceImpl delegate = new EchoServiceImpl();
        volatile SpanContext seenSpan;
        volatile String seenMdcTrace;
        volatile String seenMdcSpan;

        @Override
        public EchoReply echo(EchoRequest request) {
            seenSpan = Span.current().getSpanContext();
            seenMdcTrace = MDC.get("trace_id");
            seenMdcSpan = MDC.get("span_id");
            return delegate.echo(request);
        }

        @Override
        public java.util.concurrent.CompletionStage<EchoReply> echoAsync(EchoRequest request) {
            return delegate.echoAsync(request);
        }

        @Override
        public EchoReply fail(EchoRequest request) {
            return delegate.fail(request);
        }
    }

    static final SeeingEcho service = new SeeingEcho();

    @RegisterExtension
    static final ServerExtension server = new ServerExtension(
            b -> telemetry.instrument(b.service(EchoService.class, service)), telemetry::instrument);

    @BeforeEach
    void reset() {
        otel.spans.reset();
    }

    @AfterAll
    static void close() {
        otel.close();
    }

    @Test
    void callMakesClientSpanAndChildServerSpanWithConventionAttributes() {
        EchoService echo = server.client().refer(EchoService.class);
        assertThat(echo.echo(EchoRequest.newBuilder().setText("hi").build()).getText())
                .isEqualTo("hi");

        SpanData client = otel.awaitSpans(SpanKind.CLIENT, 1).get(0);
        SpanData attempt = otel.awaitSpans(SpanKind.INTERNAL, 1).get(0);
        SpanData serverSpan = otel.awaitSpans(SpanKind.SERVER, 1).get(0);

        assertThat(client.getName()).isEqualTo("test.EchoService/echo");
        assertThat(serverSpan.getName()).isEqualTo("test.EchoService/echo");
        assertThat(serverSpan.getTraceId()).isEqualTo(client.getTraceId());
        assertThat(attempt.getParentSpanId()).isEqualTo(client.getSpanId());
        assertThat(serverSpan.getParentSpanId()).isEqualTo(attempt.getSpanId());
        assertThat(serverSpan.getParentSpanContext().isRemote()).isTrue();

        for (SpanData s : List.of(client, serverSpan)) {
            assertThat(s.getAttributes().get(RpcAttributes.RPC_SYSTEM_NAME)).isEqualTo("outrigger");
            assertThat(s.getAttributes().get(RpcAttributes.RPC_METHOD)).isEqualTo("test.EchoService/echo");
            assertThat(s.getAttributes().get(RpcAttributes.RPC_STATUS_CODE)).isEqualTo("OK");
            assertThat(s.getAttributes().get(OutriggerAttributes.SERVICE)).isEqualTo("test.EchoService");
            assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        }
        assertThat(client.getAttributes().get(ServerAttributes.SERVER_ADDRESS)).isEqualTo("127.0.0.1");
        assertThat(client.getAttributes().get(ServerAttributes.SERVER_PORT)).isEqualTo((long) server.port());
        assertThat(client.getAttributes().get(OutriggerAttributes.ATTEMPTS)).isEqualTo(1L);
        assertThat(attempt.getAttributes().get(OutriggerAttributes.ATTEMPT)).isEqualTo(1L);
        assertThat(attempt.getAttributes().get(ServerAttributes.SERVER_PORT)).isEqualTo((long) server.port());
        assertThat(serverSpan.getAttributes().get(ClientAttributes.CLIENT_ADDRESS))
                .isEqualTo("127.0.0.1");
        assertThat(serverSpan.getAttributes().get(ClientAttributes.CLIENT_PORT)).isPositive();
    }

    @Test
    void serviceCodeRunsInTheServerSpanWithIdsInTheMdc() {
        server.client()
                .refer(EchoService.class)
                .echo(EchoRequest.newBuilder().setText("x").build());

        SpanData serverSpan = otel.awaitSpans(SpanKind.SERVER, 1).get(0);
        assertThat(service.seenSpan.getSpanId()).isEqualTo(serverSpan.getSpanId());
        assertThat(service.seenMdcTrace).isEqualTo(serverSpan.getTraceId());
        assertThat(service.seenMdcSpan).isEqualTo(serverSpan.getSpanId());
    }

    @Test
    void clientSpanIsChildOfTheCallersSpan() {
        Span caller = otel.sdk.getTracer("test").spanBuilder("caller").startSpan();
        try (Scope ignored = caller.makeCurrent()) {
            server.client()
                    .refer(EchoService.class)
                    .echo(EchoRequest.newBuilder().setText("x").build());
        } finally {
            caller.end();
        }
        SpanData client = otel.awaitSpans(SpanKind.CLIENT, 1).get(0);
        SpanData serverSpan = otel.awaitSpans(SpanKind.SERVER, 1).get(0);
        assertThat(client.getParentSpanId()).isEqualTo(caller.getSpanContext().getSpanId());
        assertThat(serverSpan.getTraceId()).isEqualTo(caller.getSpanContext().getTraceId());
    }

    @Test
    void failingCallMarksBothSpansWithTheStatus() {
        EchoService echo = server.client().refer(EchoService.class);
        assertThatThrownBy(
                        () -> echo.fail(EchoRequest.newBuilder().setText("boom").build()))
                .isInstanceOf(RpcException.class)
                .satisfies(e -> assertThat(((RpcException) e).status().code()).isEqualTo(Status.Code.INTERNAL));

        SpanData client = otel.awaitSpans(SpanKind.CLIENT, 1).get(0);
        SpanData serverSpan = otel.awaitSpans(SpanKind.SERVER, 1).get(0);
        for (SpanData s : List.of(client, serverSpan)) {
            assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(s.getStatus().getDescription()).startsWith("INTERNAL").contains("error id");
            assertThat(s.getAttributes().get(RpcAttributes.RPC_STATUS_CODE)).isEqualTo("INTERNAL");
            assertThat(s.getAttributes().get(ErrorAttributes.ERROR_TYPE)).isEqualTo("INTERNAL");
        }
        // The server knows the exception itself (the caller gets only its error id): it is recorded
        // on the server span.
        assertThat(serverSpan.getEvents()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("exception");
            assertThat(e.getAttributes().get(io.opentelemetry.api.common.AttributeKey.stringKey("exception.message")))
                    .contains("boom");
        });
    }

    @Test
    void clientOnlyFailureNeedsNoServerToBeTraced() {
        RpcClient lonely = telemetry
                .instrument(RpcClient.builder().registry(new io.outrigger.core.registry.StaticRegistry()))
                .build();
        try {
            EchoService echo = lonely.refer(EchoService.class);
            assertThatThrownBy(() -> echo.echo(EchoRequest.getDefaultInstance()))
                    .isInstanceOf(RpcException.class);
        } finally {
            lonely.close();
        }
        SpanData client = otel.awaitSpans(SpanKind.CLIENT, 1).get(0);
        assertThat(client.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(client.getStatus().getDescription()).contains("UNAVAILABLE", "no provider");
        assertThat(client.getAttributes().get(ServerAttributes.SERVER_ADDRESS)).isNull();
        assertThat(otel.ofKind(SpanKind.INTERNAL)).isEmpty();
    }

    @Test
    void asyncCallbacksOnAnotherExecutorSeeTheCallersContext() throws Exception {
        ExecutorService callbacks = Executors.newFixedThreadPool(2);
        RpcClient client = telemetry
                .instrument(RpcClient.builder()
                        .registry(server.registry())
                        .responseExecutor(OutriggerTelemetry.contextPropagating(callbacks)))
                .build();
        Span caller = otel.sdk.getTracer("test").spanBuilder("caller").startSpan();
        try {
            EchoService echo = client.refer(EchoService.class);
            CompletableFuture<SpanContext> seen;
            CompletableFuture<String> thread;
            try (Scope ignored = caller.makeCurrent()) {
                var reply = echo.echoAsync(EchoRequest.newBuilder()
                                .setText("a")
                                .setSleepMillis(50)
                                .build())
                        .toCompletableFuture();
                seen = reply.thenApply(r -> Span.current().getSpanContext());
                thread = reply.thenApply(r -> Thread.currentThread().getName());
            }
            // Not current here any more; the callback still saw the caller's span.
            assertThat(Span.current().getSpanContext().isValid()).isFalse();
            assertThat(seen.get(5, TimeUnit.SECONDS)).isEqualTo(caller.getSpanContext());
            assertThat(thread.get(5, TimeUnit.SECONDS)).startsWith("pool-");
        } finally {
            caller.end();
            client.close();
            callbacks.shutdown();
        }
        // The server span of an asynchronous service ends when its stage completes, not when it returns.
        SpanData serverSpan = otel.awaitSpans(SpanKind.SERVER, 1).get(0);
        long micros = (serverSpan.getEndEpochNanos() - serverSpan.getStartEpochNanos()) / 1000;
        assertThat(micros).isGreaterThanOrEqualTo(45_000);
        assertThat(serverSpan.getTraceId()).isEqualTo(caller.getSpanContext().getTraceId());
    }
}
