package io.outrigger.core.auth;

import io.outrigger.core.Interceptor;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import java.nio.file.Path;
import java.time.Duration;
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

    /** How often {@link #fromFile} looks at its file at most. */
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(1);

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

    /**
     * The token kept in {@code file}, for {@link #interceptor(Supplier)}: the file's content without
     * surrounding whitespace (such as a final newline), one word. The file is read now, then checked for
     * changes at most once a second, on the calling thread, and read again when it changed, so a rotated
     * token is sent from the next call on without a restart. A change that leaves no usable token (an
     * empty or half-written file, a file that disappeared) keeps the previous token and logs a warning.
     * The token is never logged or quoted in a message.
     *
     * <pre>{@code
     * RpcClient client = RpcClient.builder()
     *         .registry(registry)
     *         .interceptor(BearerToken.interceptor(BearerToken.fromFile(Path.of("/run/secrets/billing-token"))))
     *         .build();
     * }</pre>
     *
     * <p>The supplier is thread-safe and cheap: a volatile read, plus a file status check once a second.
     *
     * @throws IllegalArgumentException naming the file and why it holds no usable token now (missing,
     *     unreadable, empty, over 16 KiB, or more than one word)
     */
    public static Supplier<String> fromFile(Path file) {
        return fromFile(file, "token file");
    }

    /**
     * Like {@link #fromFile(Path)}, with {@code source} naming where the file's path came from (a flag
     * such as {@code --bearer-token-file}, a property) at the start of the log lines about the file.
     */
    public static Supplier<String> fromFile(Path file, String source) {
        return new TokenFile(file, source, CHECK_INTERVAL, System::nanoTime);
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
