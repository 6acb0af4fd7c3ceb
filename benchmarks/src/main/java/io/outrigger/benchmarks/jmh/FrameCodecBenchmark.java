package io.outrigger.benchmarks.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.proto.GetUserRequest;
import io.outrigger.core.Attributes;
import io.outrigger.core.Deadline;
import io.outrigger.core.Metadata;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.internal.protocol.FrameDecoder;
import io.outrigger.core.internal.protocol.FrameEncoder;
import io.outrigger.core.internal.protocol.ProtocolLimits;
import io.outrigger.serialization.Serializers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The wire codec per call: encoding a request frame (header, path, metadata, protobuf body written
 * straight into a pooled buffer) and a response frame, and decoding a response frame.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FrameCodecBenchmark {

    private final FrameEncoder encoder =
            new FrameEncoder(Serializers.defaults(), ProtocolLimits.DEFAULT_MAX_MESSAGE_SIZE);
    private final PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final RpcRequest request = new RpcRequest(
            "bench.UserService",
            "getUser",
            Metadata.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            Deadline.after(Duration.ofSeconds(5)),
            Payload.of(GetUserRequest.newBuilder().setId(SampleData.USER_ID).build()),
            Attributes.empty());
    private final RpcResponse response = RpcResponse.ok(Payload.of(SampleData.PROTO_USER));
    private EmbeddedChannel decoder;
    private ByteBuf responseFrame;

    @Setup
    public void setUp() {
        decoder = new EmbeddedChannel(new FrameDecoder(ProtocolLimits.DEFAULT));
        responseFrame = encoder.response(alloc, 7, response);
    }

    @TearDown
    public void tearDown() {
        responseFrame.release();
        decoder.finishAndReleaseAll();
    }

    /** Encodes a getUser request with a trace header (then releases the buffer). */
    @Benchmark
    public int encodeRequest() {
        ByteBuf frame = encoder.request(alloc, 1, request);
        int n = frame.readableBytes();
        frame.release();
        return n;
    }

    /** Encodes a getUser response carrying a User (then releases the buffer). */
    @Benchmark
    public int encodeResponse() {
        ByteBuf frame = encoder.response(alloc, 1, response);
        int n = frame.readableBytes();
        frame.release();
        return n;
    }

    /** Decodes a getUser response frame into a Frame (bytes copied out, buffer released). */
    @Benchmark
    public Object decodeResponse() {
        decoder.writeInbound(responseFrame.retainedDuplicate());
        return decoder.readInbound();
    }
}
