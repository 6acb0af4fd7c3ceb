package io.outrigger.sidecar.internal;

import io.outrigger.core.Status;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * What the HTTP endpoint answers: a status, the {@code X-Outrigger-Status} code, a content type,
 * extra headers and a body. Independent of Netty so that the call logic is tested without sockets.
 *
 * @param httpStatus e.g. 200, 404
 * @param code the value of {@code X-Outrigger-Status}
 * @param contentType the {@code Content-Type} of the body
 * @param headers extra headers (response metadata, {@code Allow})
 * @param body the body
 */
public record HttpReply(
        int httpStatus, Status.Code code, String contentType, List<Map.Entry<String, String>> headers, byte[] body) {

    /** The JSON content type. */
    public static final String JSON = "application/json";

    /** A 200 carrying {@code body}. */
    public static HttpReply ok(String contentType, byte[] body, List<Map.Entry<String, String>> headers) {
        return new HttpReply(200, Status.Code.OK, contentType, headers, body);
    }

    /** A 200 carrying a JSON document. */
    public static HttpReply okJson(String json) {
        return new HttpReply(200, Status.Code.OK, JSON, List.of(), json.getBytes(StandardCharsets.UTF_8));
    }

    /** A failed call: the status mapped to HTTP, with the JSON error body. */
    public static HttpReply failure(Status status) {
        return failure(StatusMapping.httpStatus(status.code()), status.code(), status.description());
    }

    /**
     * A failure with an HTTP status of the sidecar's own choice (405, 413, 415) and the JSON error
     * body.
     */
    public static HttpReply failure(int httpStatus, Status.Code code, String message) {
        return new HttpReply(
                httpStatus, code, JSON, List.of(), JsonText.error(code, message).getBytes(StandardCharsets.UTF_8));
    }

    /** A copy with one more header. */
    public HttpReply withHeader(String name, String value) {
        List<Map.Entry<String, String>> h = new java.util.ArrayList<>(headers);
        h.add(Map.entry(name, value));
        return new HttpReply(httpStatus, code, contentType, List.copyOf(h), body);
    }

    /** The body as UTF-8 text (for tests and logs). */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
