/** The sidecar's internals: HTTP endpoint, call mapping, exports, health checks. May change. */
package io.outrigger.sidecar.internal;
