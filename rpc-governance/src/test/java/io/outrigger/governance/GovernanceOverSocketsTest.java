package io.outrigger.governance;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.core.RpcException;
import io.outrigger.core.Status;
import io.outrigger.core.auth.AccessControl;
import io.outrigger.core.auth.BearerToken;
import io.outrigger.core.auth.TokenVerifier;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.governance.internal.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Governance with the real client, real servers and real sockets on 127.0.0.1. */
class GovernanceOverSocketsTest {

    private final List<RpcServer> servers = new ArrayList<>();
    private final StaticRegistry registry = new StaticRegistry();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.shutdown(Duration.ZERO));
    }

    private RpcServer provider(EchoService impl, ServerGovernance governance) {
        RpcServer.Builder b = RpcServer.builder()
                .host("127.0.0.1")
                .service(EchoService.class, impl)
                .registry(registry)
                .propagationDelay(Duration.ZERO);
        if (governance != null) {
            governance.applyTo(b);
        }
        RpcServer server = b.build().start();
        servers.add(server);
        return server;
    }

    @Test
    void failoverHidesAProviderThatStoppedWithoutAFailedCall() {
        EchoServiceImpl a = new EchoServiceImpl();
        EchoServiceImpl b = new EchoServiceImpl();
        RpcServer first = provider(a, null);
        provider(b, null);
        try (RpcClient client = ClientGovernance.builder()
                .loadBalancing(LoadBalancing.ROUND_ROBIN)
                .build()
                .applyTo(RpcClient.builder().registry(registry))
                .build()) {
            EchoService echo = client.refer(EchoService.class);
            for (int i = 0; i < 20; i++) {
                echo.echo(echoRequest("warm-" + i));
            }
            assertThat(a.completed.get()).isPositive();
            assertThat(b.completed.get()).isPositive();

            // Stopped without unregistering: the client still lists it until the registry says otherwise.
            first.shutdown(Duration.ZERO);
            registry.register(
                    first.instances().isEmpty()
                            ? ServiceInstance.builder("test.EchoService", "127.0.0.1", first.port())
                                    .build()
                            : first.instances().get(0));
            int before = b.completed.get();
            for (int i = 0; i < 50; i++) {
                assertThat(echo.echo(echoRequest("after-" + i)).getText()).isEqualTo("after-" + i);
            }
            assertThat(b.completed.get() - before).isEqualTo(50);
        }
    }

    /** Writes once per call of {@code fail}, then fails the way a provider passing on a nested call's failure does. */
    static final class NestedFailure implements EchoService {
        final EchoServiceImpl delegate = new EchoServiceImpl();
        final java.util.concurrent.atomic.AtomicInteger completed = delegate.completed;
        final java.util.concurrent.atomic.AtomicInteger executions = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public io.outrigger.serialization.testing.proto.EchoReply echo(
                io.outrigger.serialization.testing.proto.EchoRequest request) {
            return delegate.echo(request);
        }

        @Override
        public CompletionStage<io.outrigger.serialization.testing.proto.EchoReply> echoAsync(
                io.outrigger.serialization.testing.proto.EchoRequest request) {
            return delegate.echoAsync(request);
        }

        @Override
        public io.outrigger.serialization.testing.proto.EchoReply fail(
                io.outrigger.serialization.testing.proto.EchoRequest request) {
            executions.incrementAndGet(); // the "payment" is written
            throw RpcException.of(io.outrigger.core.RequestNotRunException.mark(
                    Status.UNAVAILABLE.withDescription("ledger: no provider reachable")));
        }
    }

    @Test
    void aNonIdempotentCallThatRanIsNotRunAgainWhenItsProviderAnswersUnavailable() {
        NestedFailure a = new NestedFailure();
        NestedFailure b = new NestedFailure();
        provider(a, null);
        provider(b, null);
        try (RpcClient client = ClientGovernance.builder()
                .loadBalancing(LoadBalancing.ROUND_ROBIN)
                .build()
                .applyTo(RpcClient.builder().registry(registry))
                .build()) {
            EchoService echo = client.refer(EchoService.class);
            for (int i = 0; i < 10; i++) {
                assertThatThrownBy(() -> echo.fail(echoRequest("pay")))
                        .isInstanceOfSatisfying(
                                RpcException.class,
                                e -> assertThat(e.status().description()).isEqualTo("ledger: no provider reachable"));
            }
            // Each call ran exactly once: failover did not run it again on the other provider.
            assertThat(a.executions.get() + b.executions.get()).isEqualTo(10);
        }
    }

    @Test
    void aNonIdempotentCallRefusedBeforeRunningIsRunElsewhereExactlyOnce() {
        NestedFailure busyImpl = new NestedFailure();
        NestedFailure freeImpl = new NestedFailure();
        // The busy provider's limit refuses every call before the service sees it.
        servers.add(RpcServer.builder()
                .host("127.0.0.1")
                .service(EchoService.class, busyImpl)
                .interceptor((request, next) -> CompletableFuture.completedFuture(io.outrigger.core.RpcResponse.failure(
                        Status.RESOURCE_EXHAUSTED.withDescription("bulkhead full"))))
                .registry(registry)
                .propagationDelay(Duration.ZERO)
                .build()
                .start());
        provider(freeImpl, null);
        try (RpcClient client = ClientGovernance.builder()
                .loadBalancing(LoadBalancing.ROUND_ROBIN)
                .retryPolicy(RetryPolicy.builder()
                        .retryOn(Status.Code.UNAVAILABLE, Status.Code.RESOURCE_EXHAUSTED)
                        .build())
                .build()
                .applyTo(RpcClient.builder().registry(registry))
                .build()) {
            EchoService echo = client.refer(EchoService.class);
            for (int i = 0; i < 10; i++) {
                assertThat(echo.echoAsync(echoRequest("order-" + i))
                                .toCompletableFuture()
                                .join()
                                .getText())
                        .isEqualTo("order-" + i);
            }
            assertThat(freeImpl.completed.get()).isEqualTo(10);
            assertThat(busyImpl.completed.get()).isZero();
        }
    }

    @Test
    void peakEwmaMovesTrafficAwayFromASlowProvider() {
        SlowEcho slow = new SlowEcho(100);
        EchoServiceImpl fast = new EchoServiceImpl();
        provider(slow, null);
        provider(fast, null);
        try (RpcClient client = ClientGovernance.builder()
                .build() // peak EWMA is the default
                .applyTo(RpcClient.builder().registry(registry))
                .build()) {
            EchoService echo = client.refer(EchoService.class);
            for (int i = 0; i < 300; i++) {
                echo.echo(echoRequest("call-" + i));
            }
            // The slow one answers in 100 ms, the fast one in about a millisecond even on a busy
            // machine: P2C learns and prefers it (round robin would give each 150).
            assertThat(slow.completed.get()).isLessThan(45);
            assertThat(fast.completed.get()).isGreaterThan(255);
        }
    }

    @Test
    void peakEwmaSpreadsStrictlySequentialCallsOverTwoEqualProviders() {
        EchoServiceImpl a = new EchoServiceImpl();
        EchoServiceImpl b = new EchoServiceImpl();
        provider(a, null);
        provider(b, null);
        try (RpcClient client = ClientGovernance.builder()
                .build() // peak EWMA is the default
                .applyTo(RpcClient.builder().registry(registry))
                .build()) {
            EchoService echo = client.refer(EchoService.class);
            // One call in flight at a time, for three seconds: the first answer of each provider (a
            // new connection, cold code) and any pause of one of them (GC, a loaded host) make it
            // look slow for a while, which must fade, so that over seconds both serve. (Over a few
            // milliseconds one pause may still keep a provider idle for about four times as long.)
            int calls = 0;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < end) {
                assertThat(echo.echo(echoRequest("call-" + calls)).getText()).isEqualTo("call-" + calls);
                calls++;
            }
            assertThat(a.completed.get() + b.completed.get()).isEqualTo(calls);
            assertThat(a.completed.get())
                    .as("calls served by the first provider, of %d", calls)
                    .isGreaterThanOrEqualTo(calls / 5);
            assertThat(b.completed.get())
                    .as("calls served by the second provider, of %d", calls)
                    .isGreaterThanOrEqualTo(calls / 5);
        }
    }

    @Test
    void serverRateLimitAnswersResourceExhaustedOverRealSockets() {
        provider(
                new EchoServiceImpl(),
                ServerGovernance.builder()
                        .rateLimit("test.EchoService", "echo", 5)
                        .build());
        try (RpcClient client = RpcClient.builder().registry(registry).build()) {
            EchoService echo = client.refer(EchoService.class);
            int ok = 0;
            int limited = 0;
            for (int i = 0; i < 20; i++) {
                try {
                    echo.echo(echoRequest("x"));
                    ok++;
                } catch (RpcException e) {
                    assertThat(e.status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(e.getMessage()).contains("127.0.0.1");
                    limited++;
                }
            }
            assertThat(ok).isBetween(5, 10);
            assertThat(limited).isEqualTo(20 - ok);
        }
    }

    @Test
    void applyToFillsTheAuthAndLimitsSlotsSoAUserInterceptorAddedFirstStillRunsAfterThem() {
        List<String> seen = new CopyOnWriteArrayList<>();
        RpcServer.Builder b = RpcServer.builder()
                .host("127.0.0.1")
                .service(EchoService.class, new EchoServiceImpl())
                .registry(registry)
                .propagationDelay(Duration.ZERO)
                .interceptor((request, next) -> { // the user slot, whenever it is added
                    seen.add(request.attributes().get(AccessControl.CALLER));
                    return next.invoke(request);
                });
        ServerGovernance.builder()
                .clock(new ManualClock()) // no permit comes back during the test
                .rateLimit("test.EchoService", "*", 2)
                .accessControl(AccessControl.builder()
                        .tokens(TokenVerifier.of(Map.of("t-billing", "billing")))
                        .allow("test.EchoService", "*", "billing")
                        .build())
                .build()
                .applyTo(b);
        servers.add(b.build().start());
        try (RpcClient anonymous = RpcClient.builder().registry(registry).build();
                RpcClient billing = RpcClient.builder()
                        .registry(registry)
                        .interceptor(BearerToken.interceptor("t-billing"))
                        .build()) {
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> anonymous.refer(EchoService.class).echo(echoRequest("x")))
                        .isInstanceOfSatisfying(
                                RpcException.class,
                                e -> assertThat(e.status().code()).isEqualTo(Status.Code.UNAUTHENTICATED));
            }
            EchoService echo = billing.refer(EchoService.class);
            echo.echo(echoRequest("1"));
            echo.echo(echoRequest("2"));
            assertThatThrownBy(() -> echo.echo(echoRequest("3"))).isInstanceOfSatisfying(RpcException.class, e -> {
                assertThat(e.status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(e.status().description()).contains("caller 'billing'");
            });
            // After auth (it saw the caller) and the limits (only the admitted calls reached it).
            assertThat(seen).containsExactly("billing", "billing");
        }
    }

    @Test
    void typedFallbackAnswersWhenEveryProviderIsDown() {
        EchoServiceImpl local = new EchoServiceImpl();
        registry.register(
                ServiceInstance.builder("test.EchoService", "127.0.0.1", 1).build());
        try (RpcClient client = ClientGovernance.builder()
                .fallback(EchoService.class, local)
                .build()
                .applyTo(RpcClient.builder().registry(registry))
                .build()) {
            EchoService echo = client.refer(EchoService.class);

            assertThat(echo.echo(echoRequest("from fallback")).getText()).isEqualTo("from fallback");
            assertThat(local.completed.get()).isEqualTo(1);
            // The fallback's own exception reaches the caller as a status, like any provider's.
            assertThatThrownBy(() -> echo.fail(echoRequest("the fallback failed too")))
                    .isInstanceOf(RpcException.class)
                    .hasMessageContaining("the fallback failed too");
        }
    }

    /** An echo provider that takes {@code millis} per call. */
    static final class SlowEcho implements EchoService {
        final EchoServiceImpl delegate = new EchoServiceImpl();
        final java.util.concurrent.atomic.AtomicInteger completed = delegate.completed;
        final long millis;

        SlowEcho(long millis) {
            this.millis = millis;
        }

        @Override
        public io.outrigger.serialization.testing.proto.EchoReply echo(
                io.outrigger.serialization.testing.proto.EchoRequest request) {
            return delegate.echo(request.toBuilder().setSleepMillis(millis).build());
        }

        @Override
        public CompletionStage<io.outrigger.serialization.testing.proto.EchoReply> echoAsync(
                io.outrigger.serialization.testing.proto.EchoRequest request) {
            return CompletableFuture.supplyAsync(
                    () -> echo(request), CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS));
        }

        @Override
        public io.outrigger.serialization.testing.proto.EchoReply fail(
                io.outrigger.serialization.testing.proto.EchoRequest request) {
            return delegate.fail(request);
        }
    }
}
