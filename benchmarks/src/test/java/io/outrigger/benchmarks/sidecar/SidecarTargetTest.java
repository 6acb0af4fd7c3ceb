package io.outrigger.benchmarks.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.benchmarks.Client;
import io.outrigger.benchmarks.RunningServer;
import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.Workload;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SidecarTargetTest {

    /** The workloads of at most 1 KiB: hundreds of 1 MiB echoes in flight would test the sidecar's memory caps. */
    private static final Workload[] SMALL = Arrays.stream(Workload.values())
            .filter(w -> w.payloadBytes() <= 1024)
            .toArray(Workload[]::new);

    @Test
    void answersEveryWorkloadThroughTheSidecar() throws Exception {
        SidecarTarget target = new SidecarTarget();
        try (RunningServer server = target.startServer(0);
                Client client = target.connect("127.0.0.1", server.port())) {
            for (Workload workload : Workload.values()) {
                SampleData.verify(workload, client.call(workload).get(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void keepsManyCallsInFlightOnPooledConnections() throws Exception {
        SidecarTarget target = new SidecarTarget();
        try (RunningServer server = target.startServer(0);
                Client client = target.connect("127.0.0.1", server.port())) {
            for (int round = 0; round < 3; round++) { // later rounds reuse the idle connections
                List<CompletableFuture<?>> calls = new ArrayList<>();
                for (int i = 0; i < 64; i++) {
                    calls.add(client.call(SMALL[i % SMALL.length]));
                }
                CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
                for (int i = 0; i < calls.size(); i++) {
                    SampleData.verify(SMALL[i % SMALL.length], calls.get(i).join());
                }
            }
        }
    }

    @Test
    void failsTheCallWithTheSidecarsJsonErrorWhenTheServerIsGone() throws Exception {
        SidecarTarget target = new SidecarTarget();
        RunningServer server = target.startServer(0);
        int port = server.port();
        server.close();
        try (Client client = target.connect("127.0.0.1", port)) {
            CompletableFuture<?> call = client.call(Workload.GET_USER);
            assertThat(call)
                    .failsWithin(10, TimeUnit.SECONDS)
                    .withThrowableOfType(ExecutionException.class)
                    .withMessageContaining("\"status\"");
        }
    }
}
