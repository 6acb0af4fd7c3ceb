package io.outrigger.core.testing;

import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import io.outrigger.serialization.testing.thrift.gen.ThriftEchoReply;
import io.outrigger.serialization.testing.thrift.gen.ThriftEchoRequest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Implements both test services; counts the calls it ran. */
public final class EchoServiceImpl implements EchoService, ThriftEchoService {

    /** Calls that ran to completion. */
    public final AtomicInteger completed = new AtomicInteger();

    /** The name of the thread that ran the last call. */
    public volatile String lastThread;

    @Override
    public EchoReply echo(EchoRequest request) {
        lastThread = Thread.currentThread().getName();
        sleep(request.getSleepMillis());
        completed.incrementAndGet();
        return EchoReply.newBuilder()
                .setText(request.getText())
                .setData(request.getData())
                .build();
    }

    @Override
    public CompletionStage<EchoReply> echoAsync(EchoRequest request) {
        lastThread = Thread.currentThread().getName();
        EchoReply reply = EchoReply.newBuilder()
                .setText(request.getText())
                .setData(request.getData())
                .build();
        if (request.getSleepMillis() == 0) {
            completed.incrementAndGet();
            return CompletableFuture.completedFuture(reply);
        }
        return CompletableFuture.supplyAsync(
                () -> {
                    completed.incrementAndGet();
                    return reply;
                },
                CompletableFuture.delayedExecutor(request.getSleepMillis(), TimeUnit.MILLISECONDS));
    }

    @Override
    public EchoReply fail(EchoRequest request) {
        throw new IllegalStateException(request.getText());
    }

    @Override
    public ThriftEchoReply echo(ThriftEchoRequest request) {
        sleep(request.getSleepMillis());
        completed.incrementAndGet();
        return new ThriftEchoReply().setText(request.getText()).setData(request.bufferForData());
    }

    private static void sleep(long millis) {
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
