package io.outrigger.sidecar;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One thread per call inside the sidecar: the client span of a call (tracing is the outermost piece
 * of the client chain) starts on the HTTP event loop that read the request and ends on the thread
 * that completed the provider's answer, which then writes the HTTP answer. They are the same thread.
 */
class SidecarThreadsTest {

    /** The thread each client span started and ended on. */
    record Threads(String started, String ended) {}

    /** Records, for every client span, the threads it started and ended on. */
    static final class ThreadRecorder implements SpanProcessor {
        final Map<String, String> startedOn = new ConcurrentHashMap<>();
        final Queue<Threads> spans = new ConcurrentLinkedQueue<>();

        @Override
        public void onStart(Context parentContext, ReadWriteSpan span) {
            if (span.getKind() == SpanKind.CLIENT) {
                startedOn.put(
                        span.getSpanContext().getSpanId(),
                        Thread.currentThread().getName());
            }
        }

        @Override
        public boolean isStartRequired() {
            return true;
        }

        @Override
        public void onEnd(ReadableSpan span) {
            String started = startedOn.remove(span.getSpanContext().getSpanId());
            if (started != null) {
                spans.add(new Threads(started, Thread.currentThread().getName()));
            }
        }

        @Override
        public boolean isEndRequired() {
            return true;
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    @Test
    void aCallIsReadSentAnsweredAndWrittenOnOneEventLoop() throws Exception {
        ThreadRecorder recorder = new ThreadRecorder();
        SdkTracerProvider tracerProvider =
                SdkTracerProvider.builder().addSpanProcessor(recorder).build();
        OpenTelemetrySdk sdk =
                OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build();
        StaticRegistry registry = new StaticRegistry();
        RpcServer provider = RpcServer.builder()
                .host("127.0.0.1")
                .announceHost("127.0.0.1")
                .port(0)
                .propagationDelay(Duration.ZERO)
                .registry(registry)
                .service(EchoService.class, new EchoServiceImpl())
                .build()
                .start();
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (Sidecar sidecar =
                Sidecar.start(SidecarConfig.builder().http("127.0.0.1:0").build(), registry, sdk)) {
            URI uri = URI.create("http://127.0.0.1:" + sidecar.httpPort() + "/rpc/test.EchoService/echo");
            // The first call subscribes to the service off the event loops; later ones start on them.
            assertThat(send(http, uri, 1).get(0).join()).isEqualTo(200);

            // Until the provider connection is up a call may complete on the thread that connected,
            // so the check is repeated until it holds; a hand-off per call would never let it pass.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                recorder.spans.clear();
                for (CompletableFuture<Integer> status : send(http, uri, 16)) {
                    assertThat(status.get(5, TimeUnit.SECONDS)).isEqualTo(200);
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> recorder.spans.size() >= 16);
                for (Threads t : recorder.spans) {
                    assertThat(t.started()).startsWith("outrigger-sidecar-io-");
                    assertThat(t.ended()).isEqualTo(t.started());
                }
            });
        } finally {
            provider.shutdown(Duration.ofSeconds(2));
            tracerProvider.close();
        }
    }

    /** Sends {@code n} calls at once (several connections); the futures complete with the statuses. */
    private static List<CompletableFuture<Integer>> send(HttpClient http, URI uri, int n) {
        List<CompletableFuture<Integer>> statuses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            statuses.add(http.sendAsync(
                            HttpRequest.newBuilder(uri)
                                    .header("Content-Type", "application/x-protobuf")
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(
                                            echoRequest("call " + i).toByteArray()))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .thenApply(HttpResponse::statusCode));
        }
        return statuses;
    }
}
