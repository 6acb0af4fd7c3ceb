package io.outrigger.benchmarks.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.outrigger.benchmarks.SampleData;
import io.outrigger.benchmarks.proto.Chunk;
import io.outrigger.benchmarks.proto.StreamBenchServiceGrpc;
import io.outrigger.benchmarks.proto.StreamRequest;
import io.outrigger.benchmarks.proto.Tick;
import io.outrigger.benchmarks.proto.UploadReply;
import io.outrigger.benchmarks.proto.User;
import java.util.function.IntFunction;

/**
 * The gRPC streaming service. Server streams respect flow control the way gRPC-java's
 * documentation and its manual-flow-control example do: messages go out while {@link
 * ServerCallStreamObserver#isReady()} and the rest wait for the {@code onReady} handler, so a slow
 * client does not make the server buffer. Client streams use gRPC's default (automatic) inbound
 * flow control.
 */
final class StreamBenchServiceImpl extends StreamBenchServiceGrpc.StreamBenchServiceImplBase {

    @Override
    public void serverStreamSmall(StreamRequest request, StreamObserver<Tick> response) {
        stream(request.getCount(), response, i -> Tick.newBuilder().setSeq(i).build());
    }

    @Override
    public void serverStreamUser(StreamRequest request, StreamObserver<User> response) {
        stream(request.getCount(), response, SampleData::protoUser);
    }

    private static <T> void stream(int count, StreamObserver<T> response, IntFunction<T> message) {
        ServerCallStreamObserver<T> out = (ServerCallStreamObserver<T>) response;
        // Without a cancel handler, onNext after the client cancelled throws.
        out.setOnCancelHandler(() -> {});
        Runnable drain = new Runnable() {
            private int next;
            private boolean completed;

            @Override
            public void run() {
                // Runs on the call's serialized executor: the handler's, or the event loop with directExecutor().
                while (next < count && out.isReady() && !out.isCancelled()) {
                    out.onNext(message.apply(next++));
                }
                if (next == count && !completed && !out.isCancelled()) {
                    completed = true;
                    out.onCompleted();
                }
            }
        };
        out.setOnReadyHandler(drain);
        drain.run();
    }

    @Override
    public StreamObserver<Tick> pingPong(StreamObserver<Tick> response) {
        return new StreamObserver<>() {
            @Override
            public void onNext(Tick ping) {
                response.onNext(Tick.newBuilder().setSeq(ping.getSeq()).build());
            }

            @Override
            public void onError(Throwable t) {
                // the client cancelled or the connection broke: nothing left to answer
            }

            @Override
            public void onCompleted() {
                response.onCompleted();
            }
        };
    }

    @Override
    public StreamObserver<Chunk> upload(StreamObserver<UploadReply> response) {
        return new StreamObserver<>() {
            private long chunks;
            private long bytes;

            @Override
            public void onNext(Chunk chunk) {
                chunks++;
                bytes += chunk.getData().size();
            }

            @Override
            public void onError(Throwable t) {
                // the client cancelled or the connection broke: nothing left to answer
            }

            @Override
            public void onCompleted() {
                response.onNext(UploadReply.newBuilder()
                        .setChunks(chunks)
                        .setBytes(bytes)
                        .build());
                response.onCompleted();
            }
        };
    }
}
