package io.outrigger.benchmarks.jmh;

import com.google.protobuf.InvalidProtocolBufferException;
import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.proto.Page;
import io.outrigger.benchmarks.proto.User;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the payloads of the load-generator workloads cost to build, encode and decode with
 * protobuf: the floor under every protobuf-based target's CPU time per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ProtobufCodecBenchmark {

    private final byte[] userBytes = SampleData.protoUser(SampleData.USER_ID).toByteArray();
    private final byte[] pageBytes = SampleData.protoPage(SampleData.PAGE_NO).toByteArray();

    /** Builds and encodes the {@code getUser} response, as a server does per call. */
    @Benchmark
    public byte[] encodeUser() {
        return SampleData.protoUser(SampleData.USER_ID).toByteArray();
    }

    /** Decodes the {@code getUser} response, as a client does per call. */
    @Benchmark
    public User decodeUser() throws InvalidProtocolBufferException {
        return User.parseFrom(userBytes);
    }

    /** Builds and encodes the {@code listUser} response (15 users). */
    @Benchmark
    public byte[] encodePage() {
        return SampleData.protoPage(SampleData.PAGE_NO).toByteArray();
    }

    /** Decodes the {@code listUser} response (15 users). */
    @Benchmark
    public Page decodePage() throws InvalidProtocolBufferException {
        return Page.parseFrom(pageBytes);
    }
}
