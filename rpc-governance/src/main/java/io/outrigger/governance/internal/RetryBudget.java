package io.outrigger.governance.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Caps retries at a share of recent calls, like Finagle's {@code RetryBudget}: over a sliding window
 * of {@value #WINDOW_SECONDS} one-second slots, a retry is allowed while {@code retries < ratio ×
 * calls + minPerSecond × window}. Under a provider that fails every call, callers therefore add at
 * most {@code ratio} extra load (plus the small constant), instead of multiplying it by the number of
 * attempts.
 *
 * <p>Thread-safe. {@link #deposit()} (once per call) is lock-free; {@link #tryWithdraw} (once per
 * retry) takes a lock so that concurrent retries cannot overdraw. A slot recycled by one thread
 * while another counts into it may lose that one count: the budget is approximate by design.
 */
public final class RetryBudget {

    static final int WINDOW_SECONDS = 10;

    private final Ticker ticker;
    private final AtomicLongArray slotSecond = new AtomicLongArray(WINDOW_SECONDS);
    private final AtomicLongArray calls = new AtomicLongArray(WINDOW_SECONDS);
    private final AtomicLongArray retries = new AtomicLongArray(WINDOW_SECONDS);

    /** A budget reading time from {@code ticker}. */
    public RetryBudget(Ticker ticker) {
        this.ticker = ticker;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            slotSecond.set(i, Long.MIN_VALUE);
        }
    }

    /** Counts one call (its first attempt). */
    public void deposit() {
        calls.incrementAndGet(slot(second()));
    }

    /**
     * Takes one retry from the budget if it allows one.
     *
     * @param ratio the share of calls that may be retried, 0..1
     * @param minPerSecond retries per second allowed regardless of the ratio
     */
    public synchronized boolean tryWithdraw(double ratio, int minPerSecond) {
        long now = second();
        int current = slot(now);
        long c = 0;
        long r = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            long s = slotSecond.get(i);
            if (s > now - WINDOW_SECONDS && s <= now) {
                c += calls.get(i);
                r += retries.get(i);
            }
        }
        double allowed = ratio * c + (double) minPerSecond * WINDOW_SECONDS;
        if (r + 1 > allowed) {
            return false;
        }
        retries.incrementAndGet(current);
        return true;
    }

    private long second() {
        return Math.floorDiv(ticker.nanoTime(), 1_000_000_000L);
    }

    /** The slot of {@code second}, recycled (its counts cleared) if it held an older second. */
    private int slot(long second) {
        int i = (int) Math.floorMod(second, (long) WINDOW_SECONDS);
        long s = slotSecond.get(i);
        if (s != second && slotSecond.compareAndSet(i, s, second)) {
            calls.set(i, 0);
            retries.set(i, 0);
        }
        return i;
    }
}
