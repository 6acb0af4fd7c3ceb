package io.outrigger.benchmarks.outrigger;

import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.proto.Chunk;
import io.outrigger.benchmarks.proto.StreamRequest;
import io.outrigger.benchmarks.proto.Tick;
import io.outrigger.benchmarks.proto.UploadReply;
import io.outrigger.benchmarks.proto.User;
import io.outrigger.core.stream.Streams;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/**
 * The streaming service written as docs/streaming.md shows: server streams are loops run by {@link
 * Streams#publisher} on an executor of the service's, whose {@code send} waits for the client's
 * credit; the upload is the documentation's subscriber (one message requested at a time); the
 * ping-pong maps each message to its answer, passing the client's demand straight through.
 */
final class StreamBenchServiceImpl implements StreamBenchService {

    private final Executor producers;

    /** @param producers runs the server streams' loops (each blocks while its client has no room) */
    StreamBenchServiceImpl(Executor producers) {
        this.producers = producers;
    }

    @Override
    public Flow.Publisher<Tick> serverStreamSmall(StreamRequest request) {
        int count = request.getCount();
        return Streams.publisher(producers, sink -> {
            for (int i = 0; i < count; i++) {
                sink.send(Tick.newBuilder().setSeq(i).build());
            }
        });
    }

    @Override
    public Flow.Publisher<User> serverStreamUser(StreamRequest request) {
        int count = request.getCount();
        return Streams.publisher(producers, sink -> {
            for (int i = 0; i < count; i++) {
                sink.send(SampleData.protoUser(i));
            }
        });
    }

    @Override
    public Flow.Publisher<Tick> pingPong(Flow.Publisher<Tick> pings) {
        return new MappedPublisher<>(
                pings, ping -> Tick.newBuilder().setSeq(ping.getSeq()).build());
    }

    @Override
    public CompletionStage<UploadReply> upload(Flow.Publisher<Chunk> chunks) {
        CompletableFuture<UploadReply> reply = new CompletableFuture<>();
        chunks.subscribe(new Flow.Subscriber<>() {
            private Flow.Subscription subscription;
            private long count;
            private long bytes;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(Chunk chunk) {
                count++;
                bytes += chunk.getData().size();
                subscription.request(1);
            }

            @Override
            public void onError(Throwable t) {
                reply.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                reply.complete(UploadReply.newBuilder()
                        .setChunks(count)
                        .setBytes(bytes)
                        .build());
            }
        });
        return reply;
    }
}
