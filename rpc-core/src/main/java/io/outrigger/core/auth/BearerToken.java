package io.outrigger.core.auth;

import io.outrigger.core.Interceptor;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Client side of token authentication: interceptors that send {@code authorization: Bearer <token>}
 * with every call, for servers guarded by {@link AccessControl}.
 *
 * <pre>{@code
 * RpcClient client = RpcClient.builder()
 *         .registry(registry)
 *         .interceptor(BearerToken.interceptor(System.getenv("BILLING_TOKEN")))
 *         .build();
 * }</pre>
 *
 * <p>Send tokens only over TLS ({@code RpcClient.Builder.tls}): on a plaintext connection anyone on
 * the path can read and replay them.
 */
public final class BearerToken {

    /** The metadata key carrying the token. */
    public static final String HEADER = "authorization";

    /** The scheme before the token in the header's value. */
    public static final String SCHEME = "Bearer ";

    private BearerToken() {}

    /**
     * Sends {@code token} with every call.
     *
     * @throws IllegalArgumentException if the token is empty or holds whitespace or control characters
     */
    public static Interceptor interceptor(String token) {
        String value = SCHEME + check(token);
        return (request, next) -> next.invoke(request.withHeader(HEADER, value));
    }

    /**
     * Sends the token {@code tokens} supplies at each call (e.g. one that is renewed in the background).
     * The supplier must be thread-safe and must not block; a call for which it returns no valid token
     * fails with {@code UNAUTHENTICATED} without being sent.
     */
    public static Interceptor interceptor(Supplier<String> tokens) {
        Objects.requireNonNull(tokens, "tokens");
        return (request, next) -> {
            String token;
            try {
                token = check(tokens.get());
            } catch (RuntimeException e) {
                return CompletableFuture.completedFuture(
                        RpcResponse.failure(Status.UNAUTHENTICATED.withDescription(request.fullMethodName()
                                + ": no token to send (" + e.getMessage() + "); the request was not sent")));
            }
            return next.invoke(request.withHeader(HEADER, SCHEME + token));
        };
    }

    /** The token in an {@code authorization} header value, or {@code null} if it is not a bearer token. */
    static String parse(String headerValue) {
        if (headerValue.length() <= SCHEME.length()
                || !headerValue.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return null;
        }
        String token = headerValue.substring(SCHEME.length()).strip();
        return token.isEmpty() ? null : token;
    }

    private static String check(String token) {
        if (token == null || token.isEmpty()) {
            throw new IllegalArgumentException("token: " + (token == null ? "null" : "empty") + " (expected: a token)");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                throw new IllegalArgumentException(
                        "token: holds whitespace or a control character at index " + i + " (expected: a single word)");
            }
        }
        return token;
    }
}
