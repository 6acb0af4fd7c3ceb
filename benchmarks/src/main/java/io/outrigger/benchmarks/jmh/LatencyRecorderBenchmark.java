package io.outrigger.benchmarks.jmh;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Recorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the load generator adds to every call: one {@code System.nanoTime()} pair and one
 * HdrHistogram {@link Recorder} record, from one thread and from two threads at once (an event
 * loop and a callback pool both completing calls).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LatencyRecorderBenchmark {

    private final Recorder recorder = new Recorder(3);

    @Benchmark
    public void recordOneThread() {
        long start = System.nanoTime();
        recorder.recordValue(System.nanoTime() - start + 50_000);
    }

    @Benchmark
    @Threads(2)
    public void recordTwoThreads() {
        long start = System.nanoTime();
        recorder.recordValue(System.nanoTime() - start + 50_000);
    }
}
