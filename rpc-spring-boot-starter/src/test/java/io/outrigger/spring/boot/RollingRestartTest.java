package io.outrigger.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.outrigger.core.testing.EchoService;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.ConfigurableApplicationContext;

/** Closing a provider application while a consumer calls it in a loop loses no call. */
class RollingRestartTest {

    @TempDir
    Path cache;

    @Test
    void closingOneOfTwoProvidersUnderLoadLosesNoCall() throws Exception {
        try (TestingServer zk = TestApps.zooKeeper();
                ConfigurableApplicationContext p1 = TestApps.run(TestApps.Provider.class, props(zk, "p1"));
                ConfigurableApplicationContext p2 = TestApps.run(TestApps.Provider.class, props(zk, "p2"));
                ConfigurableApplicationContext consumer = TestApps.run(TestApps.Consumer.class, props(zk, "c"))) {
            EchoService echo = consumer.getBean(TestApps.Caller.class).viaConstructor;
            Map<String, AtomicInteger> answeredBy = new ConcurrentHashMap<>();
            AtomicInteger failures = new AtomicInteger();
            AtomicReference<Throwable> firstFailure = new AtomicReference<>();
            AtomicBoolean running = new AtomicBoolean(true);
            ExecutorService callers = Executors.newFixedThreadPool(8);
            List<Future<?>> loops = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                loops.add(callers.submit(() -> {
                    while (running.get()) {
                        try {
                            // 5 ms of work: calls are in flight when the provider starts draining.
                            String text = echo.echo(EchoRequest.newBuilder()
                                            .setText("x")
                                            .setSleepMillis(5)
                                            .build())
                                    .getText();
                            answeredBy
                                    .computeIfAbsent(text, k -> new AtomicInteger())
                                    .incrementAndGet();
                        } catch (RuntimeException e) {
                            failures.incrementAndGet();
                            firstFailure.compareAndSet(null, e);
                        }
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> answeredBy.containsKey("x from p1") && answeredBy.containsKey("x from p2"));

            OutriggerServer p1Server = p1.getBean(OutriggerServer.class);
            long closing = System.nanoTime();
            p1.close(); // unregister, propagation delay, GOAWAY, drain, stop

            System.out.printf("provider closed in %d ms%n", (System.nanoTime() - closing) / 1_000_000);
            int p2Before = answeredBy.get("x from p2").get();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> answeredBy.get("x from p2").get() > p2Before + 200);
            int p1After = answeredBy.get("x from p1").get();
            int p2Now = answeredBy.get("x from p2").get();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> answeredBy.get("x from p2").get() > p2Now + 100); // p1 stays out
            running.set(false);
            for (Future<?> f : loops) {
                f.get();
            }
            callers.shutdown();

            assertThat(failures.get())
                    .as("failed calls (first: %s)", firstFailure.get())
                    .isZero();
            assertThat(answeredBy.get("x from p1").get()).isEqualTo(p1After); // p1 answers no more
            assertThat(p1Server.state()).isEqualTo(OutriggerServer.State.STOPPED);
        }
    }

    private List<String> props(TestingServer zk, String name) {
        List<String> p = new ArrayList<>(TestApps.common(zk, cache));
        p.add("test.name=" + name);
        p.add("outrigger.server.propagation-delay=500ms");
        p.add("outrigger.server.drain-timeout=5s");
        return p;
    }
}
