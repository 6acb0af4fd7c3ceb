package io.outrigger.sidecar.internal;

import io.outrigger.core.registry.ServiceInstance;
import java.util.List;
import java.util.Map;

/**
 * The document of {@code GET /admin}: the registry, the providers the sidecar sees for each service
 * it called, and the exports with their health.
 *
 * <pre>{@code
 * {"registry":"static","services":{"demo.UserService":["127.0.0.1:7001"]},
 *  "exports":{"demo.Greeter":{"url":"http://127.0.0.1:8080","healthy":true,"registered":true}}}
 * }</pre>
 */
public final class AdminJson {

    private AdminJson() {}

    public static String render(String registry, WatchedRegistry watched, List<InboundExport> exports) {
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
        return sb.append("}}").toString();
    }
}
