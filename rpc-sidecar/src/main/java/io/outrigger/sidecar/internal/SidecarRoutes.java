package io.outrigger.sidecar.internal;

import io.outrigger.core.Status;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The paths of the HTTP endpoint:
 *
 * <pre>
 * POST /rpc/{service}/{method}   an outbound call ({@link OutboundCalls})
 * GET  /health                   200 {"status":"UP"} when ready, 503 {"status":"DOWN"} otherwise
 * GET  /admin                    what the sidecar sees, as JSON ({@link AdminJson})
 * </pre>
 *
 * Anything else is 404, a known path with another method 405; both with the JSON error shape.
 */
public final class SidecarRoutes implements HttpRoutes {

    private static final String RPC_PREFIX = "/rpc/";

    private final OutboundCalls calls;
    private final BooleanSupplier ready;
    private final Supplier<String> admin;

    public SidecarRoutes(OutboundCalls calls, BooleanSupplier ready, Supplier<String> admin) {
        this.calls = calls;
        this.ready = ready;
        this.admin = admin;
    }

    @Override
    public CompletionStage<HttpReply> handle(
            String method, String path, String contentType, Iterable<Map.Entry<String, String>> headers, byte[] body) {
        if (path.startsWith(RPC_PREFIX)) {
            String rest = path.substring(RPC_PREFIX.length());
            int slash = rest.indexOf('/');
            if (slash <= 0 || slash == rest.length() - 1 || rest.indexOf('/', slash + 1) >= 0) {
                return done(HttpReply.failure(
                        404, Status.Code.NOT_FOUND, "no such path: " + path + " (expected: /rpc/{service}/{method})"));
            }
            if (!method.equals("POST")) {
                return done(notAllowed(method, path, "POST"));
            }
            return calls.call(rest.substring(0, slash), rest.substring(slash + 1), contentType, headers, body);
        }
        switch (path) {
            case "/health" -> {
                if (!method.equals("GET")) {
                    return done(notAllowed(method, path, "GET"));
                }
                return done(
                        ready.getAsBoolean()
                                ? HttpReply.okJson("{\"status\":\"UP\"}")
                                : new HttpReply(
                                        503,
                                        Status.Code.UNAVAILABLE,
                                        HttpReply.JSON,
                                        java.util.List.of(),
                                        "{\"status\":\"DOWN\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            case "/admin" -> {
                if (!method.equals("GET")) {
                    return done(notAllowed(method, path, "GET"));
                }
                return done(HttpReply.okJson(admin.get()));
            }
            default -> {
                return done(HttpReply.failure(
                        404,
                        Status.Code.NOT_FOUND,
                        "no such path: " + path
                                + " (expected: POST /rpc/{service}/{method}, GET /health, GET /admin)"));
            }
        }
    }

    private static HttpReply notAllowed(String method, String path, String allowed) {
        return HttpReply.failure(
                        405,
                        Status.Code.UNIMPLEMENTED,
                        method + " " + path + ": method not allowed (expected: " + allowed + ")")
                .withHeader("Allow", allowed);
    }

    private static CompletionStage<HttpReply> done(HttpReply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}
