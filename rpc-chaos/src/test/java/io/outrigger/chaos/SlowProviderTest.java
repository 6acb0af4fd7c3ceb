package io.outrigger.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.governance.CircuitBreakerPolicy;
import io.outrigger.governance.ClientGovernance;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Scenario 4: one of three providers turns slow (200 ms per call) under load. The peak-EWMA
 * power-of-two-choices balancer and the endpoint breakers (slow calls count) move the traffic to the
 * other two, so the caller's p99 stays well below the slow provider's latency.
 */
class SlowProviderTest {

    private static final int SLOW_MILLIS = 200;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void aSlowProviderIsRoutedAround() throws Exception {
        StaticRegistry registry = new StaticRegistry();
        List<Switchable> impls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Switchable impl = new Switchable();
            impls.add(impl);
            RpcServer server = RpcServer.builder()
                    .host("127.0.0.1")
                    .service(EchoService.class, impl)
                    .registry(registry)
                    .propagationDelay(Duration.ZERO)
                    .build()
                    .start();
            resources.add(() -> server.shutdown(Duration.ZERO));
        }
        ClientGovernance governance = ClientGovernance.builder()
                // Outlier ejection also on slowness: half the last 20 calls over 100 ms opens it.
                .endpointBreaker(CircuitBreakerPolicy.builder()
                        .slowCalls(Duration.ofMillis(100), 50)
                        .minimumCalls(5)
                        .windowSize(20)
                        .openDuration(Duration.ofSeconds(10))
                        .build())
                .build();
        RpcClient client = Callers.governed(registry, governance);
        resources.add(client);
        EchoService echo = client.refer(EchoService.class);
        for (int i = 0; i < 300; i++) {
            echo.echo(Callers.request(i, 0));
        }

        Load load = Load.start("idempotent", 8, 400, Callers.idempotent(echo));
        resources.add(load);
        Chaos.sleep(Chaos.phase(3));
        Switchable slow = impls.get(0);
        long slowFrom = Load.now();
        int slowCallsBefore = slow.calls.get();
        slow.delayMillis = SLOW_MILLIS;
        Chaos.sleep(Chaos.phase(8));
        long slowTo = Load.now();
        int slowCalls = slow.calls.get() - slowCallsBefore;
        load.stop();

        Load.Window before = load.window(0, slowFrom);
        Load.Window during = load.window(slowFrom, slowTo);
        // After the first second the balancer has learnt; before it, a few calls pay for the lesson.
        Load.Window learnt = load.window(slowFrom + TimeUnit.SECONDS.toNanos(1), slowTo);
        Histogram d = during.latencies();
        Histogram l = learnt.latencies();
        double share = 100.0 * slowCalls / Math.max(1, during.calls());
        Chaos.report(
                "1 of 3 providers slow (" + SLOW_MILLIS + " ms)",
                String.format(
                        "calls=%d failed=%d | before: %s | while slow: %s; from its second second: %s"
                                + " | calls sent to the slow provider=%d (%.2f%%)",
                        load.all().calls(),
                        load.all().failed(),
                        Load.percentiles(before.latencies()),
                        Load.percentiles(d),
                        Load.percentiles(l),
                        slowCalls,
                        share));

        assertThat(load.all().failed())
                .as("failures: %s", load.failureExamples())
                .isZero();
        // Routed around: under 1% of the calls reach the slow provider...
        assertThat(share).as("share of calls sent to the slow provider, %").isLessThan(1.0);
        // ...so p99 stays below its latency (every call it answers takes at least 200 ms). The bound
        // is not tighter because a busy 2-core machine alone can push p99 to ~100 ms.
        assertThat(Load.millis(d.getValueAtPercentile(99))).isLessThan(SLOW_MILLIS);
        assertThat(Load.millis(l.getValueAtPercentile(99))).isLessThan(SLOW_MILLIS);
    }

    /** An echo provider whose every call can be made slow at run time. */
    static final class Switchable implements EchoService {
        final EchoServiceImpl delegate = new EchoServiceImpl();
        final AtomicInteger calls = new AtomicInteger();
        volatile int delayMillis;

        @Override
        public EchoReply echo(EchoRequest request) {
            calls.incrementAndGet();
            int delay = delayMillis;
            return delegate.echo(
                    delay == 0
                            ? request
                            : request.toBuilder().setSleepMillis(delay).build());
        }

        @Override
        public CompletionStage<EchoReply> echoAsync(EchoRequest request) {
            calls.incrementAndGet();
            int delay = delayMillis;
            return delegate.echoAsync(
                    delay == 0
                            ? request
                            : request.toBuilder().setSleepMillis(delay).build());
        }

        @Override
        public EchoReply fail(EchoRequest request) {
            return delegate.fail(request);
        }
    }
}
