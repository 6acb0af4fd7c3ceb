package io.outrigger.benchmarks.outrigger;

import io.outrigger.benchmarks.StreamClient;
import io.outrigger.benchmarks.StreamWorkload;
import io.outrigger.benchmarks.proto.Chunk;
import io.outrigger.benchmarks.proto.StreamRequest;
import io.outrigger.benchmarks.proto.Tick;
import io.outrigger.benchmarks.proto.UploadReply;
import io.outrigger.core.client.RpcClient;
import io.outrigger.core.stream.Streams;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * The streaming client written as docs/streaming.md shows, with Outrigger's defaults (no stream
 * deadline):
 *
 * <ul>
 *   <li>server streams: a subscriber that asks for everything at once ({@code request(Long.MAX_VALUE)},
 *       what Reactor's {@code subscribe(consumer)} does) and handles each message in {@code onNext}
 *       without blocking. Outrigger's own credit (32 messages beyond those delivered) still bounds
 *       what is in flight, so asking for less would only add {@code request} calls;
 *   <li>uploads: {@link Streams#publisher} on a client thread, whose {@code send} waits for the
 *       server's credit;
 *   <li>ping-pong: a {@link QueuedPublisher} delivering on the sending thread, so the next ping
 *       leaves from the thread that received the answer. (The JDK's {@code SubmissionPublisher}
 *       would drop the first ping: Outrigger subscribes to it only once the server granted credit.)
 * </ul>
 */
final class OutriggerStreamClient implements StreamClient {

    private final RpcClient client;
    private final StreamBenchService streams;
    private final ExecutorService uploaders = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "upload-producer");
        t.setDaemon(true);
        return t;
    });

    OutriggerStreamClient(RpcClient client, StreamBenchService streams) {
        this.client = client;
        this.streams = streams;
    }

    @Override
    public OpenStream serverStream(StreamWorkload workload, int count, Runnable onMessage) {
        StreamRequest request = StreamRequest.newBuilder().setCount(count).build();
        CountingSubscriber subscriber = new CountingSubscriber(onMessage);
        switch (workload) {
            case STREAM_SMALL -> streams.serverStreamSmall(request).subscribe(subscriber);
            case STREAM_USER -> streams.serverStreamUser(request).subscribe(subscriber);
            default -> throw new IllegalArgumentException(workload.label() + " is not server streaming");
        }
        return subscriber;
    }

    @Override
    public OpenStream upload(int chunks, Runnable onChunkSent) {
        Chunk chunk = StreamWorkload.chunk();
        CompletableFuture<UploadReply> reply = streams.upload(Streams.publisher(uploaders, sink -> {
                    for (int i = 0; i < chunks; i++) {
                        sink.send(chunk);
                        onChunkSent.run();
                    }
                }))
                .toCompletableFuture();
        CompletableFuture<Long> done = reply.thenApply(UploadReply::getChunks);
        return new OpenStream() {
            @Override
            public CompletableFuture<Long> done() {
                return done;
            }

            @Override
            public void cancel() {
                reply.cancel(true);
            }
        };
    }

    @Override
    public PingPong pingPong() {
        QueuedPublisher<Tick> pings = new QueuedPublisher<>();
        CompletableFuture<Void> ended = new CompletableFuture<>();
        PingPongSubscriber answers = new PingPongSubscriber(ended);
        streams.pingPong(pings).subscribe(answers);
        return new PingPong() {
            @Override
            public CompletableFuture<Long> ping(long seq) {
                CompletableFuture<Long> answer = new CompletableFuture<>();
                answers.pending = answer;
                pings.send(Tick.newBuilder().setSeq(seq).build());
                return answer;
            }

            @Override
            public CompletableFuture<Void> finish() {
                pings.complete();
                return ended;
            }
        };
    }

    @Override
    public void close() {
        uploaders.shutdownNow();
        client.close();
        try {
            uploaders.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes a server stream's messages as they come and counts them. */
    private static final class CountingSubscriber implements Flow.Subscriber<Object>, OpenStream {
        private final Runnable onMessage;
        private final CompletableFuture<Long> done = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;
        private volatile boolean cancelled;
        private long received;

        CountingSubscriber(Runnable onMessage) {
            this.onMessage = onMessage;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            if (cancelled) {
                s.cancel();
            } else {
                s.request(Long.MAX_VALUE);
            }
        }

        @Override
        public void onNext(Object message) {
            received++;
            onMessage.run();
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            done.complete(received);
        }

        @Override
        public CompletableFuture<Long> done() {
            return done;
        }

        @Override
        public void cancel() {
            cancelled = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            // A cancelled subscription may get no further signal (Reactive Streams §3.6).
            done.completeExceptionally(new CancellationException("cancelled by the client"));
        }
    }

    /** Completes the ping waiting for its answer. */
    private static final class PingPongSubscriber implements Flow.Subscriber<Tick> {
        private final CompletableFuture<Void> ended;
        volatile CompletableFuture<Long> pending;

        PingPongSubscriber(CompletableFuture<Void> ended) {
            this.ended = ended;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

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
        public void onComplete() {
            ended.complete(null);
        }
    }
}
