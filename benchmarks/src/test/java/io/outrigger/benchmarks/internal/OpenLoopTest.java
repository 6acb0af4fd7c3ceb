package io.outrigger.benchmarks.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.benchmarks.Client;
import io.outrigger.benchmarks.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class OpenLoopTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** A client whose calls complete only when the test says so. */
    private static final class ManualClient implements Client {
        final List<CompletableFuture<Object>> calls = new ArrayList<>();

        @Override
        public CompletableFuture<?> call(Workload workload) {
            CompletableFuture<Object> call = new CompletableFuture<>();
            calls.add(call);
            return call;
        }

        void completeAll() {
            calls.forEach(call -> call.complete("ok"));
        }

        @Override
        public void close() {}
    }

    @Test
    void timesEachCallFromWhenItWasDueSoAStallCountsForEveryCallItDelayed() {
        AtomicLong now = new AtomicLong(1_000 * MS);
        ManualClient client = new ManualClient();
        OpenLoop loop = new OpenLoop(client, Workload.GET_USER, 1_000, 1024, now::get); // one call per ms

        loop.startSchedule();
        assertThat(loop.tick()).isEqualTo(MS); // call 0 started, call 1 due in 1 ms
        client.completeAll(); // call 0 answered at once: 0 ms
        now.addAndGet(10 * MS); // the target (or the scheduler) stalls for 10 ms
        loop.tick(); // calls 1..10 were due at 1..10 ms: all start now
        assertThat(client.calls).hasSize(11);
        client.completeAll();

        Histogram h = loop.interval();
        assertThat(h.getTotalCount()).isEqualTo(11);
        // A closed loop would record 0 ms for every call; here call 1 waited 9 ms, call 10 none.
        assertThat(h.getMaxValue()).isBetween(9 * MS - MS / 100, 9 * MS + MS / 100);
        assertThat(h.getValueAtPercentile(50)).isBetween(4 * MS - MS / 100, 5 * MS + MS / 100);
        assertThat(h.getMinValue()).isZero();
    }

    @Test
    void whenTheCapHoldsCallsBackTheirWaitCountsInTheirLatency() {
        AtomicLong now = new AtomicLong(0);
        ManualClient client = new ManualClient();
        OpenLoop loop = new OpenLoop(client, Workload.GET_USER, 1_000, 2, now::get);

        loop.startSchedule();
        now.set(4 * MS); // calls 0..4 are due
        loop.tick();
        assertThat(client.calls).hasSize(2); // the cap: 2 in flight
        now.set(6 * MS);
        client.completeAll(); // calls 0 and 1 answered at 6 ms: 6 ms and 5 ms late
        loop.tick(); // calls 2 and 3 start (due at 2 and 3 ms)
        assertThat(client.calls).hasSize(4);
        now.set(7 * MS);
        client.completeAll();

        Histogram h = loop.interval();
        assertThat(h.getTotalCount()).isEqualTo(4);
        assertThat(h.getMaxValue()).isBetween(6 * MS - MS / 100, 6 * MS + MS / 100);
        assertThat(h.getMinValue()).isBetween(4 * MS - MS / 100, 4 * MS + MS / 100); // call 3: due 3, done 7
    }
}
