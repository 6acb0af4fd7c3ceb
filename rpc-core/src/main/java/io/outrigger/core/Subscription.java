package io.outrigger.core;

/** A handle on a watch (instances of a service, rules of a service); close it to stop watching. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

    /** Stops the watch. Idempotent; never throws. */
    @Override
    void close();
}
