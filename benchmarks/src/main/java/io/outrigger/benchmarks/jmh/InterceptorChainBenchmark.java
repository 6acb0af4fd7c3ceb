package io.outrigger.benchmarks.jmh;

import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
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

/** The cost of N no-op interceptors around an invoker that answers at once. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class InterceptorChainBenchmark {

    @Param({"0", "1", "4", "16"})
    public int interceptors;

    private static final CompletableFuture<RpcResponse> DONE =
            CompletableFuture.completedFuture(RpcResponse.ok(Payload.EMPTY));
    private final RpcRequest request = RpcRequest.of("bench.UserService", "getUser", Payload.EMPTY);
    private Invoker chain;

    @Setup
    public void setUp() {
        Invoker target = r -> DONE;
        Interceptor noOp = (r, next) -> next.invoke(r);
        chain = target;
        for (int i = 0; i < interceptors; i++) {
            chain = chain.decorate(noOp);
        }
    }

    @Benchmark
    public CompletionStage<RpcResponse> invoke() {
        return chain.invoke(request);
    }
}
