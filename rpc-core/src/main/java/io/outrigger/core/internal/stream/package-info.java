/**
 * The parts of a stream shared by client and server: the credit-driven inbound publisher and
 * outbound subscriber, and the interfaces between them and the transport.
 *
 * <p>Not an API: anything here may change or disappear in any release, without notice.
 */
package io.outrigger.core.internal.stream;
