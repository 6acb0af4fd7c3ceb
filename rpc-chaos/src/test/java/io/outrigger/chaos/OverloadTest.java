package io.outrigger.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.Heap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Scenario 5: a provider with a capacity of 100 calls/s (4 worker threads, 40 ms per call, 4 queue
 * slots) is offered 300 calls/s. The excess is refused at once with {@code RESOURCE_EXHAUSTED}
 * from the event loop, the provider keeps completing calls at its capacity, memory stays bounded
 * (nothing queues without bound), and once the load drops no call fails.
 */
class OverloadTest {

    private static final int SERVICE_MILLIS = 40;
    private static final int WORKERS = 4;
    private static final int CAPACITY = WORKERS * 1000 / SERVICE_MILLIS; // calls/s

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void threeTimesCapacityIsRefusedFastAndRecovers() throws Exception {
        StaticRegistry registry = new StaticRegistry();
        RpcServer server = RpcServer.builder()
                .host("127.0.0.1")
                .service(EchoService.class, new EchoServiceImpl())
                .registry(registry)
                .workerThreads(WORKERS)
                .queueCapacity(WORKERS)
                .propagationDelay(Duration.ZERO)
                .build()
                .start();
        resources.add(() -> server.shutdown(Duration.ZERO));
        RpcClient client = Callers.governed(registry);
        resources.add(client);
        EchoService echo = client.refer(EchoService.class);
        for (int i = 0; i < 50; i++) {
            echo.echo(Callers.request(i, 0));
        }

        long heapBefore = Heap.usedAfterGc();
        AtomicLong heapPeak = new AtomicLong();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> {
            Runtime rt = Runtime.getRuntime();
            while (sampling.get()) {
                heapPeak.accumulateAndGet(rt.totalMemory() - rt.freeMemory(), Math::max);
                Chaos.sleep(Duration.ofMillis(50));
            }
        });
        sampler.start();

        Hiccups hiccups = Hiccups.start();
        resources.add(hiccups);
        long overloadFrom = Load.now();
        // 3x capacity: 30 threads at 10 calls/s each, every call asking for 40 ms of work.
        Load overload = Load.start("overload", 30, 3 * CAPACITY, n -> echo.echo(Callers.request(n, SERVICE_MILLIS)));
        resources.add(overload);
        Duration overloadFor = Chaos.phase(5);
        Chaos.sleep(overloadFor);
        overload.stop();
        long longestStall = hiccups.longestMillis(overloadFrom, Load.now());
        sampling.set(false);
        sampler.join();
        long heapAfter = Heap.usedAfterGc();

        // Load drops to half the capacity: every call must succeed, from the first second on.
        long droppedAt = Load.now();
        Load normal = Load.start("normal", 4, CAPACITY / 2, n -> echo.echo(Callers.request(n, SERVICE_MILLIS)));
        resources.add(normal);
        Chaos.sleep(Chaos.phase(2));
        normal.stop();

        Load.Window o = overload.all();
        Histogram rejected = o.latencies(Status.Code.RESOURCE_EXHAUSTED);
        Histogram served = o.latencies();
        double seconds = overloadFor.toMillis() / 1000.0;
        Load.Window firstSecond = normal.window(droppedAt, droppedAt + TimeUnit.SECONDS.toNanos(1));
        Chaos.report(
                "offered load 3x capacity (" + CAPACITY + " calls/s)",
                String.format(
                        "offered=%d calls (%.0f/s) served=%d (%.0f/s, %s) RESOURCE_EXHAUSTED=%d (%s) other failures=%d"
                                + " | longest test JVM stall %d ms"
                                + " | heap after GC %s before, %s after, peak %s"
                                + " | after the load dropped: calls=%d failed=%d, first second calls=%d failed=%d",
                        o.calls(),
                        o.calls() / seconds,
                        o.succeeded(),
                        o.succeeded() / seconds,
                        Load.percentiles(served),
                        rejected.getTotalCount(),
                        Load.percentiles(rejected),
                        o.failed() - rejected.getTotalCount(),
                        longestStall,
                        Chaos.mib(heapBefore),
                        Chaos.mib(heapAfter),
                        Chaos.mib(heapPeak.get()),
                        normal.all().calls(),
                        normal.all().failed(),
                        firstSecond.calls(),
                        firstSecond.failed()));

        assertThat(o.failed())
                .as("every failure under overload is a fast refusal: %s", overload.failureExamples())
                .isEqualTo(rejected.getTotalCount());
        assertThat(rejected.getTotalCount()).as("the excess is refused").isPositive();
        // The provider keeps working at (about) its capacity while it refuses the rest.
        assertThat(o.succeeded() / seconds).isGreaterThan(CAPACITY * 0.6);
        // Fast: a refusal costs far less than one call's work (p50), and even the unluckiest ones
        // (p99) are not queued behind work, once the time this JVM could not run is allowed for.
        assertThat(Load.millis(rejected.getValueAtPercentile(50))).isLessThan(SERVICE_MILLIS / 4.0);
        assertThat(Load.millis(rejected.getValueAtPercentile(99))).isLessThan(SERVICE_MILLIS * 2.5 + longestStall);
        // Bounded memory: nothing piles up (generous, as System.gc() is only a hint).
        assertThat(heapAfter - heapBefore).isLessThan(64L << 20);
        assertThat(normal.all().failed())
                .as("failures after the load dropped: %s", normal.failureExamples())
                .isZero();
        assertThat(firstSecond.calls()).isPositive();
    }
}
