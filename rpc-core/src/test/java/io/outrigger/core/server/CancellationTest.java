package io.outrigger.core.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.CallContext;
import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.testing.AsyncEcho;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.LeakDetectionExtension;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A caller that gives up: what the server still runs, and what it stops. */
@ExtendWith(LeakDetectionExtension.class)
class CancellationTest {

    static final int WORKERS = 4;

    RpcServer server;
    RpcClient client;
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger sawCancellation = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    /** Whether held calls end as soon as they are cancelled, or only once released. */
    volatile boolean endOnCancel = true;

    /** Holds each call until released (or cancelled), counting the calls that ran at all. */
    final class Holding implements EchoService {
        @Override
        public EchoReply echo(EchoRequest request) {
            started.incrementAndGet();
            CallContext context = CallContext.current();
            try {
                while (!release.await(10, TimeUnit.MILLISECONDS) && !(endOnCancel && context.isCancelled())) {
                    // holding
                }
                if (context.isCancelled()) {
                    sawCancellation.incrementAndGet();
                    throw RpcException.of(context.cancellationReason());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return EchoReply.newBuilder().setText(request.getText()).build();
        }

        @Override
        public CompletionStage<EchoReply> echoAsync(EchoRequest request) {
            return CompletableFuture.completedFuture(
                    EchoReply.newBuilder().setText(request.getText()).build()); // on the event loop, at once
        }

        @Override
        public EchoReply fail(EchoRequest request) {
            throw new IllegalStateException(request.getText());
        }
    }

    @BeforeEach
    void start() {
        server = RpcServer.builder()
                .host("127.0.0.1")
                .service(EchoService.class, new Holding())
                .executor(new ThreadPoolExecutor(WORKERS, WORKERS, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>()))
                .drainTimeout(Duration.ofSeconds(1))
                .build()
                .start();
        client = RpcClient.builder()
                .registry(StaticRegistry.of(ServiceInstance.builder("test.EchoService", "127.0.0.1", server.port())
                        .build()))
                .defaultTimeout(Duration.ofSeconds(30))
                .build();
    }

    @AfterEach
    void stop() {
        release.countDown();
        client.close();
        server.shutdown(Duration.ofSeconds(1));
    }

    @Test
    void cancelledCallsStillQueuedNeverRunAndTheRunningOnesAreTold() {
        endOnCancel = false; // the workers stay busy until every cancel has arrived
        AsyncEcho echo = client.refer(AsyncEcho.class);
        List<CompletableFuture<EchoReply>> calls = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            calls.add(
                    echo.echo(EchoRequest.newBuilder().setText("c" + i).build()).toCompletableFuture());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.inFlight() == 1000 && started.get() == WORKERS);

        calls.forEach(c -> c.cancel(false));
        // A call answered on the server's event loop, behind the 1000 CANCEL frames on the same
        // connection: once it is back, the server has read them all.
        assertThat(client.refer(EchoService.class)
                        .echoAsync(EchoRequest.newBuilder().setText("barrier").build())
                        .toCompletableFuture()
                        .join()
                        .getText())
                .isEqualTo("barrier");
        release.countDown();

        // The running calls see they were cancelled; the 996 queued are dropped as the workers reach them.
        await().atMost(Duration.ofSeconds(10)).until(() -> server.inFlight() == 0);
        assertThat(started).hasValue(WORKERS);
        assertThat(sawCancellation).hasValue(WORKERS);
        assertThat(calls).allSatisfy(c -> assertThat(c).isCancelled());
        // The connection is still good, and its window was given back.
        assertThat(client.refer(EchoService.class)
                        .echo(EchoRequest.newBuilder().setText("after").build())
                        .getText())
                .isEqualTo("after");
    }

    @Test
    void aCallerWhoseDeadlinePassesStopsTheWorkAndGetsDeadlineExceeded() {
        EchoService echo = client.reference(EchoService.class)
                .timeout(Duration.ofMillis(200))
                .build();

        assertThatThrownBy(
                        () -> echo.echo(EchoRequest.newBuilder().setText("slow").build()))
                .isInstanceOfSatisfying(
                        RpcException.class,
                        e -> assertThat(e.status().code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

        await().atMost(Duration.ofSeconds(5)).until(() -> sawCancellation.get() == 1 && server.inFlight() == 0);
    }

    @Test
    void aCallerWhoseConnectionClosesStopsTheWork() {
        client.refer(AsyncEcho.class)
                .echo(EchoRequest.newBuilder().setText("orphan").build());
        await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == 1);

        client.close();

        await().atMost(Duration.ofSeconds(5)).until(() -> sawCancellation.get() == 1 && server.inFlight() == 0);
    }

    @Test
    void aGenericCallIsCancelledThroughItsFuture() {
        CompletableFuture<io.outrigger.core.RpcResponse> call = client.invoker("test.EchoService")
                .invoke(io.outrigger.core.RpcRequest.of(
                                "test.EchoService",
                                "echo",
                                io.outrigger.core.Payload.of(EchoRequest.newBuilder()
                                        .setText("generic")
                                        .build()))
                        .withDeadline(io.outrigger.core.Deadline.after(Duration.ofSeconds(30))))
                .toCompletableFuture();
        await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == 1);

        assertThat(call.cancel(true)).isTrue();

        await().atMost(Duration.ofSeconds(5)).until(() -> sawCancellation.get() == 1 && server.inFlight() == 0);
    }

    @Test
    void anInterruptedSyncCallerCancelsItsCall() throws Exception {
        EchoService echo = client.refer(EchoService.class);
        AtomicInteger code = new AtomicInteger(-1);
        Thread caller = new Thread(() -> {
            try {
                echo.echo(EchoRequest.newBuilder().setText("interrupted").build());
            } catch (RpcException e) {
                code.set(e.status().code().value());
            }
        });
        caller.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> started.get() == 1);

        caller.interrupt();
        caller.join(5000);

        assertThat(code).hasValue(Status.Code.CANCELLED.value());
        await().atMost(Duration.ofSeconds(5)).until(() -> sawCancellation.get() == 1 && server.inFlight() == 0);
    }
}
