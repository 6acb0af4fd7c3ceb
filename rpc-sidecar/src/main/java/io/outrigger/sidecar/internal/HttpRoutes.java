package io.outrigger.sidecar.internal;

import java.util.Map;
import java.util.concurrent.CompletionStage;

/** What the HTTP endpoint does with a complete request. Must not block; must not throw. */
@FunctionalInterface
public interface HttpRoutes {

    /**
     * @param method the HTTP method, e.g. {@code POST}
     * @param path the decoded path, without the query
     * @param headers the request headers
     * @param body the request body
     * @return the answer; never completes exceptionally
     */
    CompletionStage<HttpReply> handle(
            String method, String path, String contentType, Iterable<Map.Entry<String, String>> headers, byte[] body);
}
