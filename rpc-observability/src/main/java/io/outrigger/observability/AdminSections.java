package io.outrigger.observability;

import io.outrigger.core.client.RpcClient;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.server.RpcServer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Ready-made {@link AdminSection}s for what rpc-core knows: the services a server exports and the
 * services a client references with the instances it sees. Sections for rules, breaker states or a
 * registry come from the modules that own them, as plain suppliers.
 */
public final class AdminSections {

    /** The value of {@code source} when no source function is given. */
    public static final String REGISTRY = "registry";

    private AdminSections() {}

    /**
     * Section {@code exported}: the server's port, services and calls in flight.
     *
     * <pre>{@code
     * {"port": 7000, "services": ["demo.UserService"], "in_flight": 2, "registered": [...]}
     * }</pre>
     */
    public static AdminSection exported(RpcServer server) {
        Objects.requireNonNull(server, "server");
        return new AdminSection("exported", () -> {
            Map<String, Object> m = new LinkedHashMap<>();
            try {
                m.put("port", server.port());
                m.put("in_flight", server.inFlight());
            } catch (IllegalStateException notStarted) {
                m.put("port", null);
            }
            m.put("services", server.serviceNames());
            List<String> registered = new ArrayList<>();
            server.instances().forEach(i -> registered.add(i.service() + "@" + i.address()));
            m.put("registered", registered);
            return m;
        });
    }

    /** Section {@code referenced} with every service's source reported as {@value #REGISTRY}. */
    public static AdminSection referenced(RpcClient client) {
        return referenced(client, service -> REGISTRY);
    }

    /**
     * Section {@code referenced}: for each service the client has referenced, where its instance list
     * comes from and the instances the client sees now.
     *
     * <pre>{@code
     * {"demo.UserService": {"source": "file-cache", "instances": [
     *     {"id": "10.0.0.5:7000", "host": "10.0.0.5", "port": 7000, "weight": 100, "version": "1.4",
     *      "group": "", "tags": ["canary"], "zone": "", "available": true, "in_flight": 0,
     *      "held": false}], "held": []}}
     * }</pre>
     *
     * <p>{@code held} lists the instances the registry lost that the client still calls because its
     * connections to them work ({@code Endpoint.isHeld()}).
     *
     * @param source names where a service's instances come from now, e.g. {@code registry} or {@code
     *     file-cache} (the registry module knows; this module does not depend on it)
     */
    public static AdminSection referenced(RpcClient client, Function<String, String> source) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(source, "source");
        return new AdminSection("referenced", () -> {
            Map<String, Object> services = new LinkedHashMap<>();
            for (String service : client.services()) {
                List<Object> instances = new ArrayList<>();
                for (Endpoint e : client.endpoints(service)) {
                    instances.add(describe(e));
                }
                List<String> held = new ArrayList<>();
                for (Endpoint e : client.endpoints(service)) {
                    if (e.isHeld()) {
                        held.add(e.instance().id());
                    }
                }
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("source", source.apply(service));
                s.put("instances", instances);
                s.put("held", held);
                services.put(service, s);
            }
            return services;
        });
    }

    private static Map<String, Object> describe(Endpoint endpoint) {
        ServiceInstance i = endpoint.instance();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", i.id());
        m.put("host", i.host());
        m.put("port", i.port());
        m.put("weight", i.weight());
        m.put("version", i.version());
        m.put("group", i.group());
        m.put("tags", i.tags().stream().sorted().toList());
        m.put("zone", i.zone());
        m.put("available", endpoint.isAvailable());
        m.put("in_flight", endpoint.inFlight());
        m.put("held", endpoint.isHeld());
        return m;
    }
}
