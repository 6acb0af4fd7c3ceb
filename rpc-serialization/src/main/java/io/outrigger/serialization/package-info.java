/**
 * How Outrigger turns messages into bytes: the {@link io.outrigger.serialization.Serializer} SPI,
 * the built-in {@link io.outrigger.serialization.ProtobufSerializer} (wire id 1) and {@link
 * io.outrigger.serialization.ThriftSerializer} (wire id 2, compact protocol), the {@link
 * io.outrigger.serialization.Serializers} set that finds them by id or message type, and {@link
 * io.outrigger.serialization.ProtobufJsonTranscoder} for protobuf messages known only by their
 * descriptors.
 *
 * <p>Java native serialization is never used.
 */
package io.outrigger.serialization;
