/**
 * The sidecar's internals: the HTTP/1.1 and h2c endpoint and its routes, the mapping of HTTP calls
 * to RPC calls and of statuses back, inbound exports and their health checks, the command line,
 * schemas for JSON transcoding, and the sidecar's security checks.
 *
 * <p>Not an API: anything here may change or disappear in any release, without notice. The HTTP
 * contract is documented in {@code docs/sidecar.md}.
 */
package io.outrigger.sidecar.internal;
