package io.outrigger.registry;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.serialization.testing.TestMessages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** Real providers and callers over a {@link ZooKeeperRegistry}, all on 127.0.0.1. */
final class RpcTesting {

    static final String ECHO = "test.EchoService";

    private RpcTesting() {}

    /** An echo provider with its own registry (its own ZooKeeper session), announcing 127.0.0.1. */
    static final class Provider implements AutoCloseable {
        final ZooKeeperRegistry registry;
        final EchoServiceImpl impl = new EchoServiceImpl();
        final RpcServer server;

        Provider(ZooKeeperRegistry registry, Duration propagationDelay, Consumer<ServiceInstance.Builder> instance) {
            this.registry = registry;
            this.server = RpcServer.builder()
                    .host("127.0.0.1")
                    .announceHost("127.0.0.1")
                    .port(0)
                    .propagationDelay(propagationDelay)
                    .drainTimeout(Duration.ofSeconds(5))
                    .registry(registry)
                    .instance(instance)
                    .service(EchoService.class, impl)
                    .build()
                    .start();
        }

        Provider(ZooKeeperRegistry registry) {
            this(registry, Duration.ofMillis(500), b -> {});
        }

        String id() {
            return "127.0.0.1:" + server.port();
        }

        @Override
        public void close() {
            server.shutdown(Duration.ofSeconds(2));
            registry.close();
        }
    }

    /**
     * Calls {@code echo} in a loop on a few threads until closed, counting calls made and failed
     * (with the first failures kept for the assertion message).
     */
    static final class CallLoop implements AutoCloseable {
        final AtomicInteger made = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicLong lastOk = new AtomicLong();

        CallLoop(EchoService echo, int threadCount, long pauseMillis) {
            for (int t = 0; t < threadCount; t++) {
                Thread thread = new Thread(
                        () -> {
                            while (running.get()) {
                                made.incrementAndGet();
                                try {
                                    echo.echo(TestMessages.echoRequest("ping"));
                                    lastOk.set(System.nanoTime());
                                } catch (RuntimeException e) {
                                    failed.incrementAndGet();
                                    if (failures.size() < 10) {
                                        failures.add(e.toString());
                                    }
                                }
                                pause(pauseMillis);
                            }
                        },
                        "call-loop-" + t);
                threads.add(thread);
                thread.start();
            }
        }

        /** Calls made so far. */
        int made() {
            return made.get();
        }

        int failed() {
            return failed.get();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
        }

        @Override
        public String toString() {
            return "made=" + made + " failed=" + failed + " first failures=" + failures;
        }
    }

    static void pause(long millis) {
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A plain client (round robin, no retries) over {@code registry}. */
    static RpcClient client(ZooKeeperRegistry registry) {
        return RpcClient.builder()
                .registry(registry)
                .defaultTimeout(Duration.ofSeconds(3))
                .build();
    }

    /** One line for the build log, so the figures can be quoted. */
    static void report(String test, String figures) {
        System.out.println("[end-to-end] " + test + ": " + figures);
    }
}
