package io.outrigger.core.cluster;

import io.outrigger.core.Invoker;
import io.outrigger.core.registry.ServiceInstance;

/**
 * One provider instance as a caller sees it: an {@link Invoker} that sends calls to it over the
 * native protocol, plus the state a load balancer needs.
 *
 * <p>Thread-safe. Endpoints are created and closed by the client as the registry's view changes;
 * load balancers and routers only read them.
 */
public interface Endpoint extends Invoker {

    /** The instance this endpoint calls. */
    ServiceInstance instance();

    /**
     * Whether a call sent now has a chance: connected or connectable (not backing off after a failed
     * connect) and not draining after the provider announced its shutdown.
     */
    boolean isAvailable();

    /** Calls sent and not yet answered. */
    int inFlight();

    /** Nanoseconds since this caller first saw the instance (for warm-up), on the monotonic clock. */
    long ageNanos();

    /**
     * Whether the registry lost this instance (its registration ended without a graceful departure)
     * and the client keeps calling it only because its own connection to it is up and answering
     * heartbeats. Such an endpoint is available only while that connection is; it is dropped when
     * the connection fails or the hold reaches its cap. Default false.
     */
    default boolean isHeld() {
        return false;
    }
}
