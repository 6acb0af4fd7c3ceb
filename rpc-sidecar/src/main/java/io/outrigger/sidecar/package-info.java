/**
 * The Outrigger sidecar: {@link io.outrigger.sidecar.Sidecar} (the runnable process, also
 * embeddable) and {@link io.outrigger.sidecar.SidecarConfig} (its flags and properties file). The
 * HTTP contract is documented in {@code docs/sidecar.md}. Everything under {@code
 * io.outrigger.sidecar.internal} may change without notice.
 */
package io.outrigger.sidecar;
