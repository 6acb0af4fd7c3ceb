package io.outrigger.benchmarks;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One {@link Client} over several independent clients of the same server: each call goes to the
 * next one in turn, so the calls in flight spread evenly over their connections. Thread-safe.
 */
public final class RoundRobinClient implements Client {

    private final List<Client> clients;
    private final Runnable afterClose;
    private final AtomicInteger next = new AtomicInteger();

    /** Calls {@code clients} in turn; {@link #close} closes them all. */
    public RoundRobinClient(List<Client> clients) {
        this(clients, () -> {});
    }

    /**
     * Calls {@code clients} in turn; {@link #close} closes them all, then runs {@code afterClose}
     * (to stop event loops they share, say).
     */
    public RoundRobinClient(List<Client> clients, Runnable afterClose) {
        if (clients.isEmpty()) {
            throw new IllegalArgumentException("clients: none (expected: at least one)");
        }
        this.clients = List.copyOf(clients);
        this.afterClose = afterClose;
    }

    @Override
    public CompletableFuture<?> call(Workload workload) {
        return clients.get(Math.floorMod(next.getAndIncrement(), clients.size()))
                .call(workload);
    }

    @Override
    public void close() {
        for (Client client : clients) {
            client.close();
        }
        afterClose.run();
    }
}
