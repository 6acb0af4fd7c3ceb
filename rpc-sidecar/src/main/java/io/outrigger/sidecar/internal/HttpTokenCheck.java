package io.outrigger.sidecar.internal;

import io.outrigger.core.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The HTTP endpoint's token ({@code --http-token-file}): routes that answer only requests carrying
 * {@code Authorization: Bearer <token>}, and pass them on to the routes they guard. {@code GET
 * /health} needs no token (probes that hold no secret check liveness; it reveals only UP or DOWN).
 * Any other request without the right token is answered 401 with the JSON error shape, {@code
 * X-Outrigger-Status: UNAUTHENTICATED} and {@code WWW-Authenticate: Bearer}, before the path is
 * looked at, so a caller without the token learns nothing about paths or services.
 *
 * <p>Tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual}, in time independent
 * of where they differ and of their lengths. Nothing here logs a token. Thread-safe.
 */
public final class HttpTokenCheck implements HttpRoutes {

    private static final String SCHEME = "Bearer ";

    private record Expected(String token, byte[] digest) {}

    private final Supplier<String> tokens;
    private final HttpRoutes next;
    private volatile Expected expected;

    /**
     * @param tokens the token to require, asked at each request (it may change, e.g. {@link io.outrigger.core.auth.BearerToken#fromFile})
     * @param next the routes that answer requests with the right token
     */
    public HttpTokenCheck(Supplier<String> tokens, HttpRoutes next) {
        this.tokens = tokens;
        this.next = next;
    }

    @Override
    public CompletionStage<HttpReply> handle(
            String method, String path, String contentType, Iterable<Map.Entry<String, String>> headers, byte[] body) {
        if (method.equals("GET") && path.equals("/health")) {
            return next.handle(method, path, contentType, headers, body);
        }
        String problem = problem(headers);
        if (problem != null) {
            return CompletableFuture.completedFuture(HttpReply.failure(401, Status.Code.UNAUTHENTICATED, problem)
                    .withHeader("WWW-Authenticate", "Bearer"));
        }
        return next.handle(method, path, contentType, headers, body);
    }

    /** Why the request is refused, or {@code null} when it carries the right token. */
    private String problem(Iterable<Map.Entry<String, String>> headers) {
        String value = null;
        int count = 0;
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase("Authorization")) {
                value = h.getValue();
                count++;
            }
        }
        if (count == 0) {
            return "this sidecar requires a token: send 'Authorization: Bearer <token>' with the token of its"
                    + " --http-token-file";
        }
        if (count > 1) {
            return "more than one Authorization header (expected: one, 'Authorization: Bearer <token>')";
        }
        if (value.length() <= SCHEME.length() || !value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return "the Authorization header is not 'Bearer <token>'";
        }
        byte[] sent = digest(value.substring(SCHEME.length()).strip());
        if (!MessageDigest.isEqual(sent, expected().digest())) {
            return "wrong token (expected: the token of the sidecar's --http-token-file)";
        }
        return null;
    }

    private Expected expected() {
        String token = tokens.get();
        Expected e = expected;
        if (e == null || !e.token().equals(token)) {
            e = new Expected(token, digest(token));
            expected = e;
        }
        return e;
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
