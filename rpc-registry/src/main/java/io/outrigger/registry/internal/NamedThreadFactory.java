package io.outrigger.registry.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads named {@code prefix-N}, so thread dumps say whose they are. */
public final class NamedThreadFactory implements ThreadFactory {

    private static final AtomicInteger POOL = new AtomicInteger();
    private final String prefix;
    private final AtomicInteger count = new AtomicInteger();

    /** Threads named {@code {prefix}-{pool}-{n}}. */
    public NamedThreadFactory(String prefix) {
        this.prefix = prefix + "-" + POOL.incrementAndGet() + "-";
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r, prefix + count.incrementAndGet());
        t.setDaemon(true);
        return t;
    }
}
