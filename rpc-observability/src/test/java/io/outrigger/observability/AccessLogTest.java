package io.outrigger.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
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
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

class AccessLogTest {

    final TestTelemetry otel = new TestTelemetry();
    final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    final Logger accessLogger = (Logger) LoggerFactory.getLogger("outrigger.access");

    OutriggerTelemetry telemetry = OutriggerTelemetry.create(otel.sdk);

    @RegisterExtension
    final ServerExtension server = new ServerExtension(
            b -> telemetry.instrument(b.service(EchoService.class, new EchoServiceImpl())),
            c -> telemetry.instrument(c));

    /** Refuses every call in the auth slot, set before the telemetry slots. */
    @RegisterExtension
    final ServerExtension refusing = new ServerExtension(b -> {
        b.auth((request, next) -> CompletableFuture.completedFuture(
                        RpcResponse.failure(Status.PERMISSION_DENIED.withDescription("not you"))))
                .service(EchoService.class, new EchoServiceImpl());
        telemetry.instrument(b);
    });

    @BeforeEach
    void attach() {
        appender.start();
        accessLogger.addAppender(appender);
    }

    @AfterEach
    void detach() {
        accessLogger.detachAppender(appender);
        otel.close();
    }

    List<ILoggingEvent> awaitLines(int count) {
        return Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> List.copyOf(appender.list), l -> l.size() >= count);
    }

    @Test
    void oneLinePerCallWithCallerMethodStatusLatencySizesAndTraceId() {
        server.client()
                .refer(EchoService.class)
                .echo(EchoRequest.newBuilder().setText("hello").build());

        ILoggingEvent line = awaitLines(1).get(0);
        SpanData serverSpan = otel.awaitSpans(SpanKind.SERVER, 1).get(0);
        String message = line.getFormattedMessage();
        assertThat(message)
                .startsWith("time=")
                .containsPattern("remote=127\\.0\\.0\\.1:\\d+ ")
                .contains("method=test.EchoService/echo status=OK")
                .containsPattern("latency_ms=\\d+\\.\\d{3} ")
                .containsPattern("request_bytes=[1-9]\\d* ")
                .contains("trace_id=" + serverSpan.getTraceId());
        assertThat(line.getLevel().toString()).isEqualTo("INFO");
        assertThat(line.getKeyValuePairs()).anySatisfy(kv -> {
            assertThat(kv.key).isEqualTo("trace_id");
            assertThat(kv.value).isEqualTo(serverSpan.getTraceId());
        });
        assertThat(appender.list).hasSize(1);
    }

    @Test
    void failuresAreLoggedWithTheirDescriptionEvenWhenSuccessesAreNotSampled() {
        server.stop();
        telemetry =
                OutriggerTelemetry.builder(otel.sdk).accessLogSampleRatio(0.0).build();
        server.start();
        EchoService echo = server.client().refer(EchoService.class);
        for (int i = 0; i < 5; i++) {
            echo.echo(EchoRequest.newBuilder().setText("quiet").build());
        }
        assertThatThrownBy(
                        () -> echo.fail(EchoRequest.newBuilder().setText("loud").build()))
                .isInstanceOf(RpcException.class);

        ILoggingEvent line = awaitLines(1).get(0);
        assertThat(line.getFormattedMessage())
                .contains("method=test.EchoService/fail status=INTERNAL")
                .contains("error=\"")
                .contains("error id");
        assertThat(appender.list).hasSize(1);
    }

    @Test
    void aCallRefusedInTheAuthSlotIsTracedAndLogged() {
        EchoService echo = refusing.client().refer(EchoService.class);
        assertThatThrownBy(() -> echo.echo(EchoRequest.newBuilder().setText("x").build()))
                .isInstanceOf(RpcException.class);

        SpanData serverSpan = otel.awaitSpans(SpanKind.SERVER, 1).get(0);
        assertThat(serverSpan.getAttributes().get(RpcAttributes.RPC_STATUS_CODE))
                .isEqualTo("PERMISSION_DENIED");
        assertThat(awaitLines(1).get(0).getFormattedMessage())
                .contains("method=test.EchoService/echo status=PERMISSION_DENIED")
                .contains("error=\"not you\"")
                .contains("trace_id=" + serverSpan.getTraceId());
    }

    @Test
    void accessLogCanBeTurnedOff() {
        OutriggerTelemetry off =
                OutriggerTelemetry.builder(otel.sdk).accessLog(false).build();
        assertThat(off.serverInterceptors()).containsExactly(off.serverTracing(), off.serverMetrics());
        assertThat(telemetry.serverInterceptors())
                .containsExactly(telemetry.serverTracing(), telemetry.serverMetrics(), telemetry.serverAccessLog());
    }
}
