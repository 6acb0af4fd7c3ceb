package io.outrigger.spring.boot;

import io.outrigger.spring.boot.internal.ReferenceSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

/**
 * Adds {@code outrigger} to the info endpoint: the services exported (bean, version, group, tags,
 * weight) and those referenced (where, version, group, timeout).
 */
public final class OutriggerInfoContributor implements InfoContributor {

    private final OutriggerServer server;
    private final OutriggerClients clients;

    /** Reports on these. */
    public OutriggerInfoContributor(OutriggerServer server, OutriggerClients clients) {
        this.server = server;
        this.clients = clients;
    }

    @Override
    public void contribute(Info.Builder builder) {
        List<Map<String, Object>> exported = new ArrayList<>();
        for (OutriggerServer.ExportedService s : server.exported()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("service", s.service());
            m.put("interface", s.type().getName());
            m.put("bean", s.bean());
            m.put("version", s.version());
            m.put("group", s.group());
            m.put("tags", List.copyOf(s.tags()));
            m.put("weight", s.weight());
            exported.add(m);
        }
        List<Map<String, Object>> referenced = new ArrayList<>();
        for (ReferenceSpec r : clients.references()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("service", r.service());
            m.put("interface", r.type().getName());
            m.put("at", r.where());
            m.put("version", r.version().isEmpty() ? "*" : r.version());
            m.put("group", r.group().isEmpty() ? "*" : r.group());
            m.put("timeout", r.timeout() == null ? "default" : r.timeout().toString());
            if (!r.fallback().isEmpty()) {
                m.put("fallback", r.fallback());
            }
            referenced.add(m);
        }
        Map<String, Object> outrigger = new LinkedHashMap<>();
        outrigger.put("port", server.port());
        outrigger.put("exported", exported);
        outrigger.put("referenced", referenced);
        builder.withDetail("outrigger", outrigger);
    }
}
