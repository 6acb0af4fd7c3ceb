package io.outrigger.registry.internal;

import io.outrigger.core.registry.ServiceInstance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether an update of a service's instances may reach consumers now, or must wait for a
 * confirming re-read because it removes too much at once.
 *
 * <p>Only <em>unexplained</em> removals count: an instance whose provider unregistered gracefully
 * (its id is in {@code graceful}) goes through at once. An update is suspicious when it removes at
 * least one unexplained instance and either empties the service, or removes more than {@code
 * threshold} of the instances consumers have now, or arrives while an earlier suspicious update is
 * still awaiting confirmation. A suspicious update is delivered with the unexplained removals
 * undone ({@link Decision#deliver()}), so additions and changes still go through.
 *
 * <p>Stateless and thread-safe.
 */
public final class PushProtection {

    /** Orders every delivered list the same way, so equal sets compare equal. */
    public static final Comparator<ServiceInstance> ORDER =
            Comparator.comparing(ServiceInstance::host).thenComparingInt(ServiceInstance::port);

    private final boolean enabled;
    private final double threshold;

    /**
     * @param enabled false: every update goes through as is
     * @param threshold the share of current instances (0.0..1.0) an update may remove without
     *     confirmation; removing more is held back. Emptying a service is always held back.
     */
    public PushProtection(boolean enabled, double threshold) {
        if (!(threshold >= 0.0 && threshold <= 1.0)) {
            throw new IllegalArgumentException("threshold: " + threshold + " (expected: 0.0..1.0)");
        }
        this.enabled = enabled;
        this.threshold = threshold;
    }

    /**
     * @param current what consumers have now
     * @param candidate what the registry says now
     * @param graceful ids of instances known to have unregistered gracefully
     * @param holding whether an earlier suspicious update awaits confirmation
     */
    public Decision evaluate(
            List<ServiceInstance> current, List<ServiceInstance> candidate, Set<String> graceful, boolean holding) {
        Map<String, ServiceInstance> next = byId(candidate);
        List<ServiceInstance> unexplained = new ArrayList<>();
        int removed = 0;
        for (ServiceInstance i : current) {
            if (!next.containsKey(i.id())) {
                removed++;
                if (!graceful.contains(i.id())) {
                    unexplained.add(i);
                }
            }
        }
        boolean suspicious = enabled
                && !unexplained.isEmpty()
                && (holding || candidate.isEmpty() || unexplained.size() > threshold * current.size());
        if (!suspicious) {
            return new Decision(sorted(candidate), List.of(), removed);
        }
        List<ServiceInstance> deliver = new ArrayList<>(candidate);
        deliver.addAll(unexplained);
        return new Decision(sorted(deliver), List.copyOf(unexplained), removed);
    }

    /** The outcome of {@link #evaluate}. */
    public record Decision(List<ServiceInstance> deliver, List<ServiceInstance> heldBack, int removed) {
        /** Whether some removals are held back until confirmed. */
        public boolean holds() {
            return !heldBack.isEmpty();
        }
    }

    /** {@code instances} sorted by {@link #ORDER}, immutable. */
    public static List<ServiceInstance> sorted(Collection<ServiceInstance> instances) {
        List<ServiceInstance> list = new ArrayList<>(instances);
        list.sort(ORDER);
        return List.copyOf(list);
    }

    private static Map<String, ServiceInstance> byId(List<ServiceInstance> instances) {
        Map<String, ServiceInstance> map = new LinkedHashMap<>();
        instances.forEach(i -> map.put(i.id(), i));
        return map;
    }
}
