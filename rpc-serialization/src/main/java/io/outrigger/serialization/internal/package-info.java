/**
 * Implementation details of {@code rpc-serialization}: the registry of serializers by id and
 * message type, the linking of protobuf descriptor sets, and locating errors in JSON input.
 *
 * <p>Not an API: anything here may change or disappear in any release, without notice.
 */
package io.outrigger.serialization.internal;
