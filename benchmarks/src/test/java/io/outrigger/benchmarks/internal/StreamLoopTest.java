package io.outrigger.benchmarks.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.benchmarks.BenchmarkTarget;
import io.outrigger.benchmarks.RunningServer;
import io.outrigger.benchmarks.StreamClient;
import io.outrigger.benchmarks.StreamWorkload;
import io.outrigger.benchmarks.Targets;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every streaming target on loopback: each workload answers right, carries traffic and stops cleanly. */
class StreamLoopTest {

    private final ScheduledExecutorService retryTimer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopTimer() {
        retryTimer.shutdownNow();
    }

    @ParameterizedTest
    @ValueSource(strings = {"outrigger", "grpc", "grpc-direct"})
    @Timeout(60)
    void streamsEveryWorkloadAndEndsTheStreamsWhenStopped(String name) throws Exception {
        BenchmarkTarget target = Targets.named(name);
        try (RunningServer server = target.startServer(0);
                StreamClient client = target.connectStreams("127.0.0.1", server.port())) {
            for (StreamWorkload workload : StreamWorkload.values()) {
                StreamLoop.verify(client, workload);

                StreamLoop loop = new StreamLoop(client, workload, workload.isServerStreaming() ? 2 : 1, retryTimer);
                loop.start();
                Thread.sleep(300);
                boolean stopped = loop.stop(10_000);

                assertThat(stopped).as(workload.label() + " streams ended").isTrue();
                assertThat(loop.counted()).as(workload.label() + " traffic").isPositive();
                assertThat(loop.errors())
                        .as(workload.label() + " errors, last: " + loop.lastError())
                        .isZero();
            }
        }
    }
}
