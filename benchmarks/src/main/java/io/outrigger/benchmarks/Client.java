package io.outrigger.benchmarks;

import java.util.concurrent.CompletableFuture;

/**
 * An asynchronous client of one {@link BenchmarkTarget}, connected to its server.
 *
 * <p>Thread-safe. The load generator keeps a fixed number of calls in flight: it starts the next
 * call from whichever thread completes the previous one (often an event loop), so {@link #call}
 * must never block.
 */
public interface Client extends AutoCloseable {

    /**
     * Starts one call of {@code workload} with the request from {@link SampleData}.
     *
     * @return completes with the decoded response (its type depends on the target), or
     *     exceptionally if the call failed
     */
    CompletableFuture<?> call(Workload workload);

    @Override
    void close();
}
