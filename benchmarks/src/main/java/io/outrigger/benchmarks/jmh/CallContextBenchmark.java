package io.outrigger.benchmarks.jmh;

import io.opentelemetry.context.Scope;
import io.outrigger.core.CallContext;
import io.outrigger.core.Deadline;
import io.outrigger.core.Invoker;
import io.outrigger.core.Metadata;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.internal.Cancellation;
import io.outrigger.core.internal.client.ContextPropagation;
import java.time.Duration;
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
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the call context adds to one call, on each side: the server's per-call cancellation and
 * attaching the context around the service; the client's cancellation per proxy call; and the
 * propagation step, with and without a call being served.
 */
@State(org.openjdk.jmh.annotations.Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CallContextBenchmark {

    private static final CompletableFuture<RpcResponse> DONE =
            CompletableFuture.completedFuture(RpcResponse.ok(Payload.EMPTY));
    private final Invoker target = r -> DONE;
    private final RpcRequest request = new RpcRequest(
            "bench.UserService",
            "getUser",
            Metadata.of("tenant", "acme").with("outrigger-tag", "canary"),
            Deadline.after(Duration.ofSeconds(5)),
            Payload.EMPTY,
            io.outrigger.core.Attributes.empty());
    private final ContextPropagation propagation =
            new ContextPropagation(true, Duration.ZERO, List.of("outrigger-tag", "tenant"));
    private final RpcRequest downstream = RpcRequest.of("bench.AccountService", "getAccount", Payload.EMPTY)
            .withDeadline(Deadline.after(Duration.ofSeconds(5)));
    private Scope serving;

    @Setup
    public void setUp() {
        serving = null;
    }

    @TearDown
    public void tearDown() {
        if (serving != null) {
            serving.close();
        }
    }

    /** Baseline: the service invoked with nothing around it. */
    @Benchmark
    public CompletionStage<RpcResponse> serverBare() {
        return target.invoke(request);
    }

    /** The server's part: a cancellation for the call, its context made current around the service. */
    @Benchmark
    public CompletionStage<RpcResponse> serverWithContext() {
        RpcRequest r = request.withAttribute(Cancellation.KEY, new Cancellation());
        try (Scope ignored = CallContext.of(r).makeCurrent()) {
            return target.invoke(r);
        }
    }

    /** The client's part for a call made outside any served call: one cancellation, one attribute. */
    @Benchmark
    public CompletionStage<RpcResponse> clientOutsideACall() {
        RpcRequest r = downstream.withAttribute(Cancellation.KEY, new Cancellation());
        return propagation.intercept(r, target);
    }

    /** The client's part for a call made while serving one: deadline capped, two keys copied, cancellation linked. */
    @Benchmark
    public CompletionStage<RpcResponse> clientInsideACall() {
        RpcRequest served = request.withAttribute(Cancellation.KEY, new Cancellation());
        try (Scope ignored = CallContext.of(served).makeCurrent()) {
            RpcRequest r = downstream.withAttribute(Cancellation.KEY, new Cancellation());
            return propagation.intercept(r, target);
        }
    }
}
