/**
 * Authentication and authorization for servers, and tokens for clients: {@link
 * io.outrigger.core.auth.AccessControl} identifies callers by their TLS client certificate or a bearer
 * token ({@link io.outrigger.core.auth.TokenVerifier}) and checks per-service and per-method allow
 * lists; {@link io.outrigger.core.auth.BearerToken} sends a token from a client. See {@code
 * docs/security.md}.
 */
package io.outrigger.core.auth;
