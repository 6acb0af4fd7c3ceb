package io.outrigger.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Maps a bearer token, as sent in the {@code authorization: Bearer <token>} header, to the identity of
 * the caller it was issued to. Implement it over your token system (a JWT verifier, a cache of an
 * introspection service), or use {@link #of(Map)} for a fixed set.
 *
 * <p>Called for every call carrying a token, possibly on an I/O thread (see {@code
 * RpcServer.Builder.nonBlockingOnEventLoop}): it must be thread-safe and must not block. Verify
 * locally (signatures, a cache) and refresh caches in the background.
 */
@FunctionalInterface
public interface TokenVerifier {

    /**
     * The identity {@code token} stands for, e.g. {@code "billing"}, or empty if the token is not
     * accepted (unknown, expired, revoked).
     */
    Optional<String> verify(String token);

    /**
     * A verifier over a fixed map of token to identity, e.g. {@code Map.of(billingToken, "billing")}.
     * Tokens are kept only as SHA-256 digests, so neither a heap dump nor the time a lookup takes
     * reveals them. Immutable.
     *
     * @throws IllegalArgumentException if a token is empty or an identity blank
     */
    static TokenVerifier of(Map<String, String> identitiesByToken) {
        Map<String, String> byDigest = new HashMap<>();
        identitiesByToken.forEach((token, identity) -> {
            Objects.requireNonNull(token, "token");
            Objects.requireNonNull(identity, "identity");
            if (token.isEmpty()) {
                throw new IllegalArgumentException("token: empty (expected: a secret string)");
            }
            if (identity.isBlank()) {
                throw new IllegalArgumentException("identity of a token: blank (expected: a caller name)");
            }
            byDigest.put(digest(token), identity);
        });
        Map<String, String> frozen = Map.copyOf(byDigest);
        return token -> Optional.ofNullable(frozen.get(digest(token)));
    }

    private static String digest(String token) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
