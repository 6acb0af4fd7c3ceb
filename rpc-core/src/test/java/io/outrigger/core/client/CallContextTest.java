package io.outrigger.core.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.CallContext;
import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.service.ServiceDescriptor;
import io.outrigger.core.testing.HopService;
import io.outrigger.core.testing.LeakDetectionExtension;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three services over real sockets, A (the test) calls B ("test.Middle"), which calls C
 * ("test.Back"): what of A's call reaches C, and what does not.
 */
@ExtendWith(LeakDetectionExtension.class)
class CallContextTest {

    static RpcServer back;
    static RpcServer middle;
    static RpcClient middleClient;
    static RpcClient client;
    static final Back backService = new Back();
    static Middle middleService;
    static final ExecutorService pool = Executors.newSingleThreadExecutor();

    /** C: records what it sees; with {@code sleep_millis}, waits that long for a cancellation. */
    static final class Back implements HopService {
        final Queue<Seen> seen = new ConcurrentLinkedQueue<>();
        final Queue<Status> cancellations = new ConcurrentLinkedQueue<>();
        final AtomicInteger finishedWork = new AtomicInteger();
        final AtomicInteger finishedAfterCancel = new AtomicInteger();

        record Seen(String text, long remainingMillis, String tenant, String secret, boolean current) {}

        @Override
        public EchoReply hop(EchoRequest request, CallContext context) {
            long remaining = context.deadline().isNone()
                    ? Long.MAX_VALUE
                    : TimeUnit.NANOSECONDS.toMillis(context.deadline().remainingNanos());
            seen.add(new Seen(
                    request.getText(),
                    remaining,
                    context.metadata().get("tenant"),
                    context.metadata().get("secret"),
                    CallContext.current() == context));
            if (request.getSleepMillis() > 0) {
                try {
                    Status reason = context.whenCancelled()
                            .toCompletableFuture()
                            .get(request.getSleepMillis(), TimeUnit.MILLISECONDS);
                    cancellations.add(reason);
                    throw RpcException.of(reason);
                } catch (TimeoutException e) {
                    finishedWork.incrementAndGet(); // slow work done: nobody stopped it
                    if (context.isCancelled()) {
                        finishedAfterCancel.incrementAndGet();
                    }
                } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException(e);
                }
            }
            return EchoReply.newBuilder().setText("back:" + request.getText()).build();
        }

        @Override
        public CompletionStage<EchoReply> hopAsync(EchoRequest request, CallContext context) {
            // On the event loop: wait for the cancellation without blocking.
            seen.add(new Seen(request.getText(), Long.MAX_VALUE, null, null, CallContext.current() == context));
            return context.whenCancelled()
                    .toCompletableFuture()
                    .orTimeout(request.getSleepMillis(), TimeUnit.MILLISECONDS)
                    .handle((reason, timeout) -> {
                        if (reason != null) {
                            cancellations.add(reason);
                            throw RpcException.of(reason);
                        }
                        finishedWork.incrementAndGet();
                        return EchoReply.newBuilder()
                                .setText("back:" + request.getText())
                                .build();
                    });
        }
    }

    /** B: calls C the way its request's text says. */
    static final class Middle implements HopService {
        final HopService toBack;
        final HopService toBackDetached;
        final AtomicReference<String> lateCurrent = new AtomicReference<>();
        /** Opened by the test once A has B's answer: the "late" task runs only after B's call ended. */
        final java.util.concurrent.CountDownLatch callEnded = new java.util.concurrent.CountDownLatch(1);

        final AtomicReference<String> callbackCurrent = new AtomicReference<>();

        Middle(RpcClient client) {
            this.toBack =
                    client.reference(HopService.class).serviceName("test.Back").build();
            this.toBackDetached = client.reference(HopService.class)
                    .serviceName("test.Back")
                    .propagateContext(false)
                    .build();
        }

        @Override
        public EchoReply hop(EchoRequest request, CallContext context) {
            switch (request.getText()) {
                case "opt-out":
                    return toBackDetached.hop(request, null);
                case "wrapped":
                    try {
                        return CallContext.wrap(pool)
                                .submit(() -> toBack.hop(request, null))
                                .get();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                case "late":
                    // Unwrapped, after this call has ended: must carry nothing of it.
                    pool.execute(() -> {
                        awaitQuietly(callEnded);
                        lateCurrent.set(String.valueOf(CallContext.current()));
                        toBack.hop(request, null);
                    });
                    return EchoReply.newBuilder().setText("scheduled").build();
                default:
                    return toBack.hop(request, null);
            }
        }

        @Override
        public CompletionStage<EchoReply> hopAsync(EchoRequest request, CallContext context) {
            // Made on the event loop, during the method: inherits. The callback runs later, on the
            // client's event loop, outside any call: it must see no context.
            return toBack.hopAsync(request, null).thenApply(reply -> {
                callbackCurrent.set(String.valueOf(CallContext.current()));
                return reply;
            });
        }
    }

    @BeforeAll
    static void start() {
        back = RpcServer.builder()
                .host("127.0.0.1")
                .service(ServiceDescriptor.of(HopService.class).withName("test.Back"), backService)
                .drainTimeout(Duration.ofSeconds(1))
                .build()
                .start();
        middleClient = RpcClient.builder()
                .registry(StaticRegistry.of(ServiceInstance.builder("test.Back", "127.0.0.1", back.port())
                        .build()))
                .defaultTimeout(Duration.ofSeconds(10))
                .propagateKeys("tenant")
                .build();
        middle = RpcServer.builder()
                .host("127.0.0.1")
                .service(
                        ServiceDescriptor.of(HopService.class).withName("test.Middle"),
                        middleService = new Middle(middleClient))
                .drainTimeout(Duration.ofSeconds(1))
                .build()
                .start();
        client = RpcClient.builder()
                .registry(StaticRegistry.of(ServiceInstance.builder("test.Middle", "127.0.0.1", middle.port())
                        .build()))
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        middle.shutdown(Duration.ofSeconds(1));
        middleClient.close();
        back.shutdown(Duration.ofSeconds(1));
        pool.shutdownNow();
    }

    @BeforeEach
    void clear() {
        backService.seen.clear();
        backService.cancellations.clear();
        backService.finishedWork.set(0);
        backService.finishedAfterCancel.set(0);
    }

    private static HopService middle(Duration timeout, String tenant) {
        ReferenceBuilder<HopService> b =
                client.reference(HopService.class).serviceName("test.Middle").timeout(timeout);
        if (tenant != null) {
            b.header("tenant", tenant).header("secret", "s3cr3t");
        }
        return b.build();
    }

    private static EchoRequest request(String text, long sleepMillis) {
        return EchoRequest.newBuilder()
                .setText(text)
                .setSleepMillis(sleepMillis)
                .build();
    }

    @Test
    void theDeadlineShrinksAlongTheChainAndItsPassingStopsTheLastHop() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> middle(Duration.ofMillis(300), null).hop(request("slow", 5000), null))
                .isInstanceOfSatisfying(
                        RpcException.class,
                        e -> assertThat(e.status().code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));

        await().atMost(Duration.ofSeconds(3)).until(() -> !backService.cancellations.isEmpty());
        Back.Seen seen = backService.seen.peek();
        assertThat(seen.remainingMillis()).isBetween(1L, 300L); // B's 10 s default was capped by A's 300 ms
        assertThat(seen.current()).isTrue(); // the parameter is the thread's current context too
        assertThat(backService.cancellations.peek().code()).isIn(Status.Code.CANCELLED, Status.Code.DEADLINE_EXCEEDED);
        assertThat(backService.finishedWork).hasValue(0);
        assertThat(backService.finishedAfterCancel).hasValue(0);
    }

    @Test
    void cancellingTheFirstCallCancelsTheCallsMadeForIt() {
        CompletableFuture<EchoReply> call = middle(Duration.ofSeconds(30), null)
                .hopAsync(request("cancel-me", 20_000), null)
                .toCompletableFuture();
        await().atMost(Duration.ofSeconds(5)).until(() -> !backService.seen.isEmpty());

        long start = System.nanoTime();
        assertThat(call.cancel(true)).isTrue();

        await().atMost(Duration.ofSeconds(5)).until(() -> !backService.cancellations.isEmpty());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        Status reason = backService.cancellations.peek();
        assertThat(reason.code()).isEqualTo(Status.Code.CANCELLED);
        // C was told by B's client, because B's call was cancelled by A's CANCEL frame.
        assertThat(reason.description())
                .contains("the call it was made for was cancelled")
                .contains("cancelled by the caller");
        assertThat(backService.finishedWork).hasValue(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> middle.inFlight() == 0 && back.inFlight() == 0);
    }

    @Test
    void onlyAllowListedKeysTravelToTheNextHop() {
        EchoReply reply = middle(Duration.ofSeconds(5), "acme").hop(request("keys", 0), null);

        assertThat(reply.getText()).isEqualTo("back:keys");
        Back.Seen seen = backService.seen.peek();
        assertThat(seen.tenant()).isEqualTo("acme"); // in B's client's propagateKeys
        assertThat(seen.secret()).isNull(); // not: A's header stops at B
    }

    @Test
    void aReferenceThatOptsOutInheritsNothing() {
        middle(Duration.ofMillis(800), "acme").hop(request("opt-out", 0), null);

        Back.Seen seen = backService.seen.peek();
        assertThat(seen.tenant()).isNull();
        assertThat(seen.remainingMillis()).isGreaterThan(5_000); // B's own 10 s, not A's 800 ms
    }

    @Test
    void wrappedTasksCarryTheContextAndUnwrappedOnesCarryNothingOfAFinishedCall() {
        middle(Duration.ofMillis(800), "acme").hop(request("wrapped", 0), null);
        Back.Seen wrapped = backService.seen.poll();
        assertThat(wrapped.tenant()).isEqualTo("acme");
        assertThat(wrapped.remainingMillis()).isLessThanOrEqualTo(800);

        middle(Duration.ofMillis(800), "acme").hop(request("late", 0), null);
        middleService.callEnded.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> !backService.seen.isEmpty());
        Back.Seen late = backService.seen.poll();
        // The same pooled thread ran the wrapped task before: the wrapper restored what it found.
        assertThat(late.tenant()).isNull();
        assertThat(middleService.lateCurrent).hasValue("null");
        assertThat(late.remainingMillis()).isGreaterThan(5_000);
        assertThat(CallContext.current()).isNull();
    }

    @Test
    void anAsyncMethodsLaterCallbacksOnTheEventLoopSeeNoContext() {
        // C answers after 100 ms, so the callback cannot run inline, inside B's method (where the
        // context is current), even on a loaded machine that pauses B's thread.
        EchoReply reply = middle(Duration.ofSeconds(5), "acme")
                .hopAsync(request("loop", 100), null)
                .toCompletableFuture()
                .join();

        assertThat(reply.getText()).isEqualTo("back:loop");
        assertThat(backService.seen.peek().current()).isTrue();
        assertThat(middleService.callbackCurrent).hasValue("null");
    }

    @Test
    void outsideAnyCallThereIsNoCurrentContextAndDetachedCodeSeesNone() throws Exception {
        assertThat(CallContext.current()).isNull();
        CallContext context =
                CallContext.of(io.outrigger.core.RpcRequest.of("test.Back", "hop", io.outrigger.core.Payload.EMPTY));
        try (io.opentelemetry.context.Scope ignored = context.makeCurrent()) {
            assertThat(CallContext.current()).isSameAs(context);
            assertThat(CallContext.callDetached(CallContext::current)).isNull();
            assertThat(pool.submit(CallContext::current).get()).isNull(); // an unwrapped task
            assertThat(CallContext.wrap(pool).submit(CallContext::current).get())
                    .isSameAs(context);
        }
        assertThat(CallContext.current()).isNull();
        assertThat(context.isCancelled()).isFalse();
        assertThat(List.of(context.service(), context.method())).containsExactly("test.Back", "hop");
    }

    private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
