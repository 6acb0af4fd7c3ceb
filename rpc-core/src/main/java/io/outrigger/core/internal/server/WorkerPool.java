package io.outrigger.core.internal.server;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's built-in business executor: up to {@code threads} threads for service methods that
 * may block, and {@code queue} calls waiting for one; a call beyond both is refused with {@link
 * RejectedExecutionException} at once.
 *
 * <p>It is a {@link ForkJoinPool} (FIFO, not work-stealing order) behind a counter of accepted
 * tasks, not a {@link java.util.concurrent.ThreadPoolExecutor}. The difference is the cost of a
 * hand-off. A {@code ThreadPoolExecutor} with 200 idle threads wakes a parked thread for every call
 * and parks it again after: at 32 calls in flight that is two context switches per call, and the
 * blocking path cost three times the CPU of the event loop. A {@code ForkJoinPool} wakes a worker
 * only when no worker is already looking for work, and a worker that finishes a call runs the next
 * queued one without parking; a worker that takes a call while others wait wakes one more, so
 * calls that block still get a thread each, up to {@code threads}.
 *
 * <p>One consequence for service code: a parallel stream (or any {@code ForkJoinTask.fork()}) run
 * inside a service method runs on this pool's threads, not on the common pool.
 */
public final class WorkerPool extends AbstractExecutorService {

    private static final Logger log = LoggerFactory.getLogger(WorkerPool.class);

    private final ForkJoinPool pool;
    private final AtomicInteger accepted = new AtomicInteger();
    private final int capacity;

    /**
     * @param threads the most threads running service code at once
     * @param queue the most calls waiting for a thread
     * @param name the threads' name prefix (numbered from 1)
     */
    public WorkerPool(int threads, int queue, String name) {
        this.capacity = threads + queue;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ForkJoinPool(
                threads,
                p -> new Worker(p, name + n.incrementAndGet()),
                null,
                true, // FIFO: calls start in the order they arrived
                0, // no thread kept when idle for the keep-alive time
                threads,
                1,
                p -> true, // at the maximum, a blocked worker is not compensated: the call waits, as queued calls do
                60,
                TimeUnit.SECONDS);
    }

    @Override
    public void execute(Runnable task) {
        if (accepted.incrementAndGet() > capacity) {
            accepted.decrementAndGet();
            throw new RejectedExecutionException("all " + capacity + " places taken");
        }
        try {
            pool.execute(() -> {
                try {
                    task.run();
                } catch (Throwable t) { // the dispatcher answers every failure itself: this is a bug
                    log.error(
                            "a task on {} threw; the worker goes on",
                            Thread.currentThread().getName(),
                            t);
                } finally {
                    accepted.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            accepted.decrementAndGet();
            throw e;
        }
    }

    /**
     * Takes a place for a call, or returns {@code false} when all {@code threads + queue} are taken.
     * The caller runs it with {@link #executeAdmitted} and gives the place back with {@link #release}
     * as soon as its answer is out, before the worker returns, so that a worker descheduled between
     * the answer and its return (common on a busy machine) does not hold a place the client already
     * reused.
     */
    public boolean tryAdmit() {
        if (accepted.incrementAndGet() > capacity) {
            accepted.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Gives back a place taken with {@link #tryAdmit}. */
    public void release() {
        accepted.decrementAndGet();
    }

    /**
     * Runs a task admitted with {@link #tryAdmit}; it releases its place itself.
     *
     * @throws RejectedExecutionException if the pool is shut down (the place is released)
     */
    public void executeAdmitted(Runnable task) {
        try {
            pool.execute(() -> {
                try {
                    task.run();
                } catch (Throwable t) { // the dispatcher answers every failure itself: this is a bug
                    log.error(
                            "a task on {} threw; the worker goes on",
                            Thread.currentThread().getName(),
                            t);
                }
            });
        } catch (RejectedExecutionException e) {
            release();
            throw e;
        }
    }

    /** Places taken: calls running or waiting. */
    public int accepted() {
        return accepted.get();
    }

    @Override
    public void shutdown() {
        pool.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return pool.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return pool.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return pool.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitTermination(timeout, unit);
    }

    /** A named daemon worker. */
    private static final class Worker extends ForkJoinWorkerThread {
        Worker(ForkJoinPool pool, String name) {
            super(pool);
            setName(name);
            setDaemon(true);
        }
    }
}
