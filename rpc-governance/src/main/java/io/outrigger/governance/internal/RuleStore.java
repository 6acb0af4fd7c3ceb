package io.outrigger.governance.internal;

import io.outrigger.core.Subscription;
import io.outrigger.core.rules.RuleSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current rules of every watched service. Each service has a {@link Holder} whose rules are one
 * volatile field, replaced whole when a valid document arrives; an invalid document is logged and
 * ignored, so the last good rules stay in force. Thread-safe.
 */
public final class RuleStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RuleStore.class);

    private final RuleSource source;
    private final Map<String, Holder> holders = new ConcurrentHashMap<>();

    /** A store watching {@code source}; {@code null}: no rules ever (every holder stays empty). */
    public RuleStore(RuleSource source) {
        this.source = source;
    }

    /**
     * The holder of {@code service}, starting the watch the first time. The client creates a
     * service's balancer (and so calls this) when the service is referenced, off the request path.
     */
    public Holder holder(String service) {
        Holder h = holders.get(service);
        if (h != null) {
            return h;
        }
        return holders.computeIfAbsent(service, this::start);
    }

    /** The rules of {@code service} now. */
    public ServiceRules current(String service) {
        return holder(service).rules;
    }

    private Holder start(String service) {
        Holder h = new Holder(service);
        if (source != null) {
            h.subscription = source.watch(service, (s, json) -> h.update(json));
        }
        return h;
    }

    @Override
    public void close() {
        holders.values().forEach(h -> {
            Subscription s = h.subscription;
            if (s != null) {
                s.close();
            }
        });
    }

    /** The rules of one service: read with {@link #rules()}, one volatile read. */
    public static final class Holder {
        private final String service;
        private volatile ServiceRules rules = ServiceRules.NONE;
        private volatile String lastRejection;
        private volatile Subscription subscription;

        Holder(String service) {
            this.service = service;
        }

        /** The rules in force. */
        public ServiceRules rules() {
            return rules;
        }

        /** Why the latest rejected document was rejected, or {@code null} if none was. */
        public String lastRejection() {
            return lastRejection;
        }

        /** Applies {@code json} if valid; otherwise logs why and keeps the rules in force. */
        synchronized void update(String json) {
            ServiceRules next;
            try {
                next = RuleParser.parse(json);
            } catch (IllegalArgumentException e) {
                lastRejection = e.getMessage();
                log.warn("Rejected the rules of {}, keeping the previous ones: {}", service, e.getMessage());
                return;
            }
            rules = next;
            lastRejection = null;
            if (!next.ignoredFields().isEmpty()) {
                log.warn(
                        "The rules of {} have fields this Outrigger does not know, ignored: {}"
                                + " (written for a newer version? the rest is applied)",
                        service,
                        next.ignoredFields());
            }
            if (json == null) {
                log.info("Rules of {} removed; using the configured defaults", service);
            } else {
                log.info("Applied the rules of {}: {}", service, json.strip());
            }
        }
    }
}
