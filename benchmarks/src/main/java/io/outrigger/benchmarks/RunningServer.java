package io.outrigger.benchmarks;

/** A server started by {@link BenchmarkTarget#startServer}; closing it releases its port. */
public interface RunningServer extends AutoCloseable {

    /** The port the server is bound to on 127.0.0.1. */
    int port();

    @Override
    void close();
}
