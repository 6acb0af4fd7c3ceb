/**
 * Implementation details of {@code rpc-core}'s native wire protocol ({@code docs/protocol.md}):
 * frames, their encoder and decoder, the size limits checked before anything is allocated, and the
 * errors a peer's broken frames cause.
 *
 * <p>Not an API: anything here may change or disappear in any release, without notice. The
 * protocol itself is specified by {@code docs/protocol.md}, not by these classes.
 */
package io.outrigger.core.internal.protocol;
