package io.outrigger.benchmarks.jmh;

import io.outrigger.core.Metadata;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.LoadBalancer;
import io.outrigger.core.cluster.RoundRobinLoadBalancer;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.governance.ClientGovernance;
import io.outrigger.governance.LoadBalancing;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One pick among 10 endpoints, per balancer (plus the latency feedback where the balancer learns); and
 * picks alternating between two subsets of them, as a canary split hands the balancer a different list
 * on consecutive calls.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LoadBalancerBenchmark {

    @Param({"ROUND_ROBIN_CORE", "PEAK_EWMA", "WEIGHTED_RANDOM", "ROUND_ROBIN", "LEAST_OUTSTANDING", "CONSISTENT_HASH"})
    public String balancer;

    private final List<Endpoint> endpoints = new ArrayList<>();
    private final RpcRequest request = RpcRequest.of("bench.UserService", "getUser", Payload.EMPTY)
            .withMetadata(Metadata.of("outrigger-hash-key", "user-42"));
    private final RpcResponse ok = RpcResponse.ok(Payload.EMPTY);
    private final List<Endpoint> canary = new ArrayList<>();
    private final List<Endpoint> stable = new ArrayList<>();
    private LoadBalancer lb;
    private int calls;

    @Setup
    public void setUp() {
        for (int i = 0; i < 10; i++) {
            endpoints.add(new FakeEndpoint(ServiceInstance.builder("bench.UserService", "127.0.0.1", 7000 + i)
                    .weight(100 + i * 10)
                    .build()));
        }
        canary.addAll(endpoints.subList(0, 2));
        stable.addAll(endpoints.subList(2, endpoints.size()));
        lb = balancer.equals("ROUND_ROBIN_CORE")
                ? new RoundRobinLoadBalancer()
                : ClientGovernance.builder()
                        .loadBalancing(LoadBalancing.valueOf(balancer))
                        .hashHeader("outrigger-hash-key")
                        .build()
                        .loadBalancerFactory()
                        .create("bench.UserService");
    }

    @Benchmark
    public Endpoint pick() {
        Endpoint e = lb.pick(endpoints, request);
        lb.onResult(e, ok, 80_000);
        return e;
    }

    /**
     * Every other call gets the canary subset (2 endpoints), the others the stable one (8): the worst
     * case of a canary split, where the balancer sees a different list on each consecutive call.
     */
    @Benchmark
    public Endpoint pickAlternatingSubsets() {
        List<Endpoint> candidates = (calls++ & 1) == 0 ? canary : stable;
        Endpoint e = lb.pick(candidates, request);
        lb.onResult(e, ok, 80_000);
        return e;
    }

    private static final class FakeEndpoint implements Endpoint {
        private final ServiceInstance instance;
        private final long created = System.nanoTime() - TimeUnit.MINUTES.toNanos(10);

        FakeEndpoint(ServiceInstance instance) {
            this.instance = instance;
        }

        @Override
        public CompletionStage<RpcResponse> invoke(RpcRequest request) {
            return CompletableFuture.completedFuture(RpcResponse.ok(Payload.EMPTY));
        }

        @Override
        public ServiceInstance instance() {
            return instance;
        }

        @Override
        public boolean isAvailable() {
            return true;
        }

        @Override
        public int inFlight() {
            return 0;
        }

        @Override
        public long ageNanos() {
            return System.nanoTime() - created;
        }
    }
}
