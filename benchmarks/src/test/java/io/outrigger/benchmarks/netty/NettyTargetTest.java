package io.outrigger.benchmarks.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.benchmarks.Client;
import io.outrigger.benchmarks.RunningServer;
import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class NettyTargetTest {

    @Test
    void answersEveryWorkloadOnLoopback() throws Exception {
        NettyTarget target = new NettyTarget();
        try (RunningServer server = target.startServer(0);
                Client client = target.connect("127.0.0.1", server.port())) {
            for (Workload workload : Workload.values()) {
                SampleData.verify(workload, client.call(workload).get(10, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    void keepsManyCallsInFlight() throws Exception {
        NettyTarget target = new NettyTarget();
        try (RunningServer server = target.startServer(0);
                Client client = target.connect("127.0.0.1", server.port())) {
            List<CompletableFuture<?>> calls = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                calls.add(client.call(Workload.values()[i % Workload.values().length]));
            }
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < calls.size(); i++) {
                SampleData.verify(
                        Workload.values()[i % Workload.values().length],
                        calls.get(i).join());
            }
            assertThat(calls).allMatch(CompletableFuture::isDone);
        }
    }
}
