package io.outrigger.governance.internal;

import io.outrigger.core.Subscription;
import io.outrigger.core.rules.RuleListener;
import io.outrigger.core.rules.RuleSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Rules held in memory; {@link #set} notifies watchers on the calling thread. */
public final class InMemoryRuleSource implements RuleSource {

    private final Map<String, String> documents = new ConcurrentHashMap<>();
    private final Map<String, List<RuleListener>> listeners = new ConcurrentHashMap<>();

    /** Sets (or, with {@code null}, deletes) the document of {@code service}. */
    public synchronized void set(String service, String json) {
        if (json == null) {
            documents.remove(service);
        } else {
            documents.put(service, json);
        }
        for (RuleListener l : listeners.getOrDefault(service, List.of())) {
            l.onRules(service, json);
        }
    }

    @Override
    public synchronized Subscription watch(String service, RuleListener listener) {
        List<RuleListener> list = listeners.computeIfAbsent(service, s -> new CopyOnWriteArrayList<>());
        list.add(listener);
        listener.onRules(service, documents.get(service));
        return () -> list.remove(listener);
    }

    public int watchers(String service) {
        return listeners.getOrDefault(service, List.of()).size();
    }

    @Override
    public void close() {
        listeners.clear();
    }
}
