package io.outrigger.benchmarks.jmh;

import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.proto.User;
import io.outrigger.examples.thrift.gen.StockReply;
import io.outrigger.serialization.Serializer;
import io.outrigger.serialization.Serializers;
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

/** Round trips through the Serializer SPI: a protobuf User and a Thrift (compact) struct. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SerializerBenchmark {

    private final Serializers serializers = Serializers.defaults();
    private final User user = SampleData.PROTO_USER;
    private final StockReply stock =
            new StockReply().setSku("OUT-42").setAvailable(17).setWarehouse("north-1");
    private final Serializer protobuf = serializers.forType(User.class);
    private final Serializer thrift = serializers.forType(StockReply.class);

    /** Looks up the serializer by type, encodes and decodes a User. */
    @Benchmark
    public User protobufRoundTrip() {
        Serializer s = serializers.forType(user.getClass());
        return s.decode(s.encode(user), User.class);
    }

    /** Encodes and decodes a Thrift struct with the compact protocol. */
    @Benchmark
    public StockReply thriftRoundTrip() {
        return thrift.decode(thrift.encode(stock), StockReply.class);
    }

    /** Encoding alone, for comparison with the round trip. */
    @Benchmark
    public byte[] protobufEncode() {
        return protobuf.encode(user);
    }
}
