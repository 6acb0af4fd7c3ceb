package io.outrigger.governance.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * The time governance reads: a monotonic nanosecond counter (budgets, latency averages, rate
 * limits) and a {@link Clock} (Resilience4j circuit breakers). Tests inject a clock they advance by
 * hand instead of sleeping.
 */
public interface Ticker {

    /** Nanoseconds on a monotonic scale; only differences are meaningful. */
    long nanoTime();

    /** The clock handed to Resilience4j; moves with {@link #nanoTime()}. */
    Clock clock();

    /** The system's monotonic counter and UTC clock. */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }

    /** Time read from {@code clock}: {@link #nanoTime()} is its instant in nanoseconds. */
    static Ticker of(Clock clock) {
        Objects.requireNonNull(clock, "clock");
        return new Ticker() {
            @Override
            public long nanoTime() {
                Instant now = clock.instant();
                return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }

            @Override
            public Clock clock() {
                return clock;
            }
        };
    }

    /** The default: {@link System#nanoTime()} and {@link Clock#systemUTC()}. */
    enum SystemTicker implements Ticker {
        /** The one instance. */
        INSTANCE;

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Clock clock() {
            return Clock.systemUTC();
        }
    }
}
