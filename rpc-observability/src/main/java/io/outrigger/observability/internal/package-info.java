/**
 * Implementation details of {@code rpc-observability}: the tracing, metrics and access-log
 * interceptors, the RPC semantic conventions they share, the bridge between OpenTelemetry
 * propagators and request metadata, and the admin endpoint's JSON writer.
 *
 * <p>Not an API: anything here may change or disappear in any release, without notice. The span
 * attributes, metrics and log format are documented in {@code docs/observability.md}.
 */
package io.outrigger.observability.internal;
