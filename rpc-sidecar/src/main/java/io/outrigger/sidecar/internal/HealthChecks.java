package io.outrigger.sidecar.internal;

import io.outrigger.core.registry.Registry;
import io.outrigger.core.registry.ServiceInstance;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls {@code GET {URL}/health} of every export at a fixed interval and lets each {@link
 * InboundExport} register or unregister itself. A check passes on a 2xx answer within the interval
 * (at most 5 s). One check per export is in flight at a time; registry calls run on this class's
 * own thread, never on an event loop.
 */
public final class HealthChecks implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthChecks.class);

    private final List<InboundExport> exports;
    private final HttpClient http;
    private final Registry registry;
    private final Map<String, ServiceInstance> announce;
    private final Duration interval;
    private final int failures;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Boolean> inFlight = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public HealthChecks(
            List<InboundExport> exports,
            HttpClient http,
            Registry registry,
            Map<String, ServiceInstance> announce,
            Duration interval,
            int failures) {
        this.exports = List.copyOf(exports);
        this.http = http;
        this.registry = registry;
        this.announce = Map.copyOf(announce);
        this.interval = interval;
        this.failures = failures;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "outrigger-sidecar-health");
            t.setDaemon(true);
            return t;
        });
    }

    /** Checks every export now, then every interval. */
    public void start() {
        scheduler.scheduleWithFixedDelay(this::checkAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void checkAll() {
        for (InboundExport export : exports) {
            if (closed || inFlight.putIfAbsent(export.service(), Boolean.TRUE) != null) {
                continue;
            }
            HttpRequest request;
            try {
                Duration timeout = interval.compareTo(Duration.ofSeconds(5)) < 0 ? interval : Duration.ofSeconds(5);
                request = HttpRequest.newBuilder(export.healthUrl())
                        .timeout(timeout.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : timeout)
                        .GET()
                        .build();
            } catch (RuntimeException e) {
                inFlight.remove(export.service());
                record(export, false, "bad health URL: " + e.getMessage());
                continue;
            }
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                boolean passed = error == null && response.statusCode() / 100 == 2;
                String problem = error != null
                        ? (error.getCause() != null ? error.getCause() : error).toString()
                        : "GET " + export.healthUrl() + " answered " + response.statusCode();
                try {
                    scheduler.execute(() -> {
                        inFlight.remove(export.service());
                        record(export, passed, problem);
                    });
                } catch (java.util.concurrent.RejectedExecutionException closedNow) {
                    inFlight.remove(export.service());
                }
            });
        }
    }

    private void record(InboundExport export, boolean passed, String problem) {
        if (closed) {
            return;
        }
        try {
            export.onHealth(passed, problem, failures, registry, announce.get(export.service()));
        } catch (RuntimeException e) {
            log.warn("{}: updating the registry after a health check failed: {}", export.service(), e.toString());
        }
    }

    /** Stops checking (exports stay as they are; the sidecar unregisters them). */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
