package io.outrigger.benchmarks.outrigger;

import io.outrigger.benchmarks.proto.Chunk;
import io.outrigger.benchmarks.proto.StreamRequest;
import io.outrigger.benchmarks.proto.Tick;
import io.outrigger.benchmarks.proto.UploadReply;
import io.outrigger.benchmarks.proto.User;
import io.outrigger.core.service.ServiceName;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * The streaming benchmark service ({@code StreamBenchService} of {@code user_service.proto}) as an
 * Outrigger interface: every kind of streaming method, each a {@link Flow.Publisher} of messages.
 */
@ServiceName("outrigger.benchmarks.StreamBenchService")
public interface StreamBenchService {

    /** {@code request.count} ticks numbered from 0, then the end of the stream. */
    Flow.Publisher<Tick> serverStreamSmall(StreamRequest request);

    /** {@code request.count} users (ids from 0), each built fresh, then the end of the stream. */
    Flow.Publisher<User> serverStreamUser(StreamRequest request);

    /** Answers each tick with a tick of the same sequence number, until the client ends its side. */
    Flow.Publisher<Tick> pingPong(Flow.Publisher<Tick> pings);

    /** Counts the chunks and their bytes; answers once the client ends the stream. */
    CompletionStage<UploadReply> upload(Flow.Publisher<Chunk> chunks);
}
