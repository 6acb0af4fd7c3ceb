package io.outrigger.sidecar.internal;

import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.observability.AdminSection;
import java.util.List;
import java.util.Map;

/**
 * The document of {@code GET /admin}: the registry, the providers the sidecar sees for each service
 * it called, the exports with their health, then the sections of rpc-observability (e.g. {@code
 * referenced}: each called service's instances and whether they come from the registry or its file
 * cache).
 *
 * <pre>{@code
 * {"registry":"zookeeper://127.0.0.1:2181","services":{"demo.UserService":["127.0.0.1:7001"]},
 *  "exports":{"demo.Greeter":{"url":"http://127.0.0.1:8080","healthy":true,"registered":true}},
 *  "referenced":{"demo.UserService":{"source":"file-cache","instances":[{"id":"127.0.0.1:7001",...}]}}}
 * }</pre>
 */
public final class AdminJson {

    private AdminJson() {}

    public static String render(
            String registry, WatchedRegistry watched, List<InboundExport> exports, List<AdminSection> sections) {
        StringBuilder sb = new StringBuilder("{\"registry\":").append(JsonText.quote(registry));
        sb.append(",\"services\":{");
        boolean first = true;
        for (Map.Entry<String, List<ServiceInstance>> e : watched.instances().entrySet()) {
            sb.append(first ? "" : ",").append(JsonText.quote(e.getKey())).append(":[");
            first = false;
            for (int i = 0; i < e.getValue().size(); i++) {
                sb.append(i == 0 ? "" : ",")
                        .append(JsonText.quote(e.getValue().get(i).address()));
            }
            sb.append(']');
        }
        sb.append("},\"exports\":{");
        first = true;
        for (InboundExport export : exports) {
            sb.append(first ? "" : ",").append(JsonText.quote(export.service())).append(":{\"url\":");
            first = false;
            sb.append(JsonText.quote(export.baseUrl().toString()))
                    .append(",\"healthy\":")
                    .append(export.healthy())
                    .append(",\"registered\":")
                    .append(export.registered());
            if (!export.healthy()) {
                sb.append(",\"problem\":").append(JsonText.quote(export.lastProblem()));
            }
            sb.append('}');
        }
        sb.append('}');
        for (AdminSection section : sections) {
            Object content;
            try {
                content = section.content().get();
            } catch (RuntimeException e) {
                content = Map.of("error", String.valueOf(e));
            }
            sb.append(',').append(JsonText.quote(section.name())).append(':').append(JsonText.write(content));
        }
        return sb.append('}').toString();
    }
}
