package io.outrigger.core.internal.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    private WorkerPool pool;

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void callsThatBlockEachGetAThreadUpToTheLimit() throws InterruptedException {
        int threads = 64;
        pool = new WorkerPool(threads, 10, "w-");
        CountDownLatch allRunning = new CountDownLatch(threads);
        CountDownLatch release = new CountDownLatch(1);
        Set<String> names = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < threads; i++) {
            pool.execute(() -> {
                names.add(Thread.currentThread().getName());
                allRunning.countDown();
                waitFor(release);
            });
        }
        // Every call blocks until all of them run at once: only true if each got its own thread.
        assertThat(allRunning.await(10, TimeUnit.SECONDS))
                .as("%d blocked calls running at once", threads - allRunning.getCount())
                .isTrue();
        assertThat(names).hasSize(threads).allMatch(n -> n.startsWith("w-"));
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.accepted() == 0);
    }

    @Test
    void refusesBeyondThreadsPlusQueueAndAcceptsAgainOnceCallsEnd() throws InterruptedException {
        pool = new WorkerPool(2, 3, "w-");
        CountDownLatch running = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 5; i++) {
            pool.execute(() -> {
                running.countDown();
                waitFor(release);
                ran.incrementAndGet();
            });
        }
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.accepted()).isEqualTo(5);
        assertThatThrownBy(() -> pool.execute(ran::incrementAndGet))
                .isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("all 5 places taken");

        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == 5 && pool.accepted() == 0);
        CountDownLatch again = new CountDownLatch(1);
        pool.execute(again::countDown);
        assertThat(again.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void admittedCallsHoldTheirPlaceUntilReleasedNotUntilTheirWorkerReturns() throws InterruptedException {
        pool = new WorkerPool(1, 1, "w-");
        assertThat(pool.tryAdmit()).isTrue();
        assertThat(pool.tryAdmit()).isTrue();
        assertThat(pool.tryAdmit()).as("threads + queue taken").isFalse();

        CountDownLatch answered = new CountDownLatch(1);
        CountDownLatch workerMayReturn = new CountDownLatch(1);
        pool.executeAdmitted(() -> {
            pool.release(); // the answer is out
            answered.countDown();
            waitFor(workerMayReturn); // the worker is still busy returning
        });
        assertThat(answered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.tryAdmit())
                .as("the place is free while the worker still runs")
                .isTrue();

        workerMayReturn.countDown();
        pool.release();
        pool.release();
        assertThat(pool.accepted()).isZero();
    }

    @Test
    void aCallThatThrowsGivesItsPlaceBack() throws InterruptedException {
        pool = new WorkerPool(1, 0, "w-");
        pool.execute(() -> {
            throw new IllegalStateException("service bug");
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> pool.accepted() == 0);
        CountDownLatch after = new CountDownLatch(1);
        pool.execute(after::countDown);
        assertThat(after.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void workersAreDaemonThreads() throws InterruptedException {
        pool = new WorkerPool(1, 1, "w-");
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger daemon = new AtomicInteger();
        pool.execute(() -> {
            daemon.set(Thread.currentThread().isDaemon() ? 1 : 0);
            done.countDown();
        });
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(daemon).hasValue(1);
    }

    private static void waitFor(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
