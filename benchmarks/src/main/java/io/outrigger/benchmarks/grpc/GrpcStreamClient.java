package io.outrigger.benchmarks.grpc;

import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.outrigger.benchmarks.StreamClient;
import io.outrigger.benchmarks.StreamWorkload;
import io.outrigger.benchmarks.proto.Chunk;
import io.outrigger.benchmarks.proto.StreamBenchServiceGrpc;
import io.outrigger.benchmarks.proto.StreamRequest;
import io.outrigger.benchmarks.proto.Tick;
import io.outrigger.benchmarks.proto.UploadReply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * gRPC streaming calls with the async stub, as gRPC-java's examples write them: server streams
 * and the ping-pong take their answers with the default automatic inbound flow control; the
 * upload sends while {@link ClientCallStreamObserver#isReady()} and resumes from the {@code onReady}
 * handler (the manual-flow-control example), so it never buffers more than the transport allows.
 */
final class GrpcStreamClient implements StreamClient {

    private final ManagedChannel channel;
    private final Runnable onClose;
    private final StreamBenchServiceGrpc.StreamBenchServiceStub stub;

    /** @param onClose releases what the channel was built with (event loops), after it closed */
    GrpcStreamClient(ManagedChannel channel, Runnable onClose) {
        this.channel = channel;
        this.onClose = onClose;
        this.stub = StreamBenchServiceGrpc.newStub(channel);
    }

    @Override
    public OpenStream serverStream(StreamWorkload workload, int count, Runnable onMessage) {
        StreamRequest request = StreamRequest.newBuilder().setCount(count).build();
        Counting<StreamRequest, Object> observer = new Counting<>(onMessage);
        switch (workload) {
            case STREAM_SMALL -> stub.serverStreamSmall(request, observer.as());
            case STREAM_USER -> stub.serverStreamUser(request, observer.as());
            default -> throw new IllegalArgumentException(workload.label() + " is not server streaming");
        }
        return observer;
    }

    @Override
    public OpenStream upload(int chunks, Runnable onChunkSent) {
        Chunk chunk = StreamWorkload.chunk();
        Upload upload = new Upload(chunks, chunk, onChunkSent);
        stub.upload(upload);
        return upload;
    }

    @Override
    public PingPong pingPong() {
        PingPongObserver answers = new PingPongObserver();
        StreamObserver<Tick> pings = stub.pingPong(answers);
        return new PingPong() {
            @Override
            public CompletableFuture<Long> ping(long seq) {
                CompletableFuture<Long> answer = new CompletableFuture<>();
                answers.pending = answer;
                pings.onNext(Tick.newBuilder().setSeq(seq).build());
                return answer;
            }

            @Override
            public CompletableFuture<Void> finish() {
                pings.onCompleted();
                return answers.ended;
            }
        };
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        onClose.run();
    }

    /** Counts a server stream's messages. */
    private static final class Counting<Q, R> implements ClientResponseObserver<Q, R>, OpenStream {
        private final Runnable onMessage;
        private final CompletableFuture<Long> done = new CompletableFuture<>();
        private volatile ClientCallStreamObserver<Q> call;
        private long received;

        Counting(Runnable onMessage) {
            this.onMessage = onMessage;
        }

        @SuppressWarnings("unchecked")
        <T> ClientResponseObserver<Q, T> as() {
            return (ClientResponseObserver<Q, T>) this;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
            call = requestStream;
        }

        @Override
        public void onNext(R value) {
            received++;
            onMessage.run();
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            done.complete(received);
        }

        @Override
        public CompletableFuture<Long> done() {
            return done;
        }

        @Override
        public void cancel() {
            call.cancel("the measurement ended", null);
        }
    }

    /** Sends the chunks as flow control allows; completes with the server's count. */
    private static final class Upload implements ClientResponseObserver<Chunk, UploadReply>, OpenStream {
        private final int chunks;
        private final Chunk chunk;
        private final Runnable onChunkSent;
        private final CompletableFuture<Long> done = new CompletableFuture<>();
        private volatile ClientCallStreamObserver<Chunk> call;
        private UploadReply reply;
        private int sent;
        private boolean halfClosed;

        Upload(int chunks, Chunk chunk, Runnable onChunkSent) {
            this.chunks = chunks;
            this.chunk = chunk;
            this.onChunkSent = onChunkSent;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<Chunk> requestStream) {
            call = requestStream;
            requestStream.setOnReadyHandler(() -> {
                // onReady handlers run one at a time, on the channel's executor.
                while (sent < chunks && requestStream.isReady()) {
                    requestStream.onNext(chunk);
                    sent++;
                    onChunkSent.run();
                }
                if (sent == chunks && !halfClosed) {
                    halfClosed = true;
                    requestStream.onCompleted();
                }
            });
        }

        @Override
        public void onNext(UploadReply value) {
            reply = value;
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            done.complete(reply == null ? -1 : reply.getChunks());
        }

        @Override
        public CompletableFuture<Long> done() {
            return done;
        }

        @Override
        public void cancel() {
            call.cancel("the measurement ended", null);
        }
    }

    /** Completes the ping waiting for its answer. */
    private static final class PingPongObserver implements StreamObserver<Tick> {
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        volatile CompletableFuture<Long> pending;

        @Override
        public void onNext(Tick answer) {
            pending.complete(answer.getSeq());
        }

        @Override
        public void onError(Throwable t) {
            CompletableFuture<Long> p = pending;
            if (p != null) {
                p.completeExceptionally(t);
            }
            ended.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            ended.complete(null);
        }
    }
}
