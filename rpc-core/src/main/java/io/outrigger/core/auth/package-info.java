/**
 * Authentication and authorization for servers, and tokens for clients: {@link
 * io.outrigger.core.auth.AccessControl} identifies callers by their TLS client certificate or a bearer
 * token ({@link io.outrigger.core.auth.TokenVerifier}) and checks per-service and per-method allow
 * lists; {@link io.outrigger.core.auth.BearerToken} sends a token from a client (fixed, supplied, or
 * kept in a file that is read again when it changes). See {@code
 * docs/security.md}.
 */
package io.outrigger.core.auth;
