package io.outrigger.governance.internal;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.cluster.Endpoint;
import io.outrigger.core.cluster.Router;
import java.util.List;

/**
 * Tag routing (Dubbo's semantics). A request whose metadata carries a tag ({@code outrigger-tag:
 * canary}) goes to the providers with that tag, or to untagged providers when none has it. A request
 * without a tag goes to untagged providers, so tagged ones (a canary) receive only the traffic meant
 * for them; if every provider is tagged, it goes to any. Never leaves nothing. Thread-safe.
 */
public final class TagRouter implements Router {

    private final String header;

    /** Reads the request's tag from metadata key {@code header}. */
    public TagRouter(String header) {
        this.header = header;
    }

    @Override
    public List<Endpoint> route(List<Endpoint> endpoints, RpcRequest request) {
        String tag = request.metadata().get(header);
        if (tag != null && !tag.isEmpty()) {
            List<Endpoint> tagged = Routes.filter(endpoints, e -> e.instance().hasTag(tag));
            if (!tagged.isEmpty()) {
                return tagged;
            }
        }
        List<Endpoint> untagged =
                Routes.filter(endpoints, e -> e.instance().tags().isEmpty());
        return untagged.isEmpty() ? endpoints : untagged;
    }

    @Override
    public String toString() {
        return "tag router (metadata " + header + ")";
    }
}
