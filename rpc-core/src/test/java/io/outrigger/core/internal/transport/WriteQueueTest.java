package io.outrigger.core.internal.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When the write queue flushes, on and off the event loop. */
class WriteQueueTest {

    /** Records how many writes each flush carried (flushes with nothing to send are not counted). */
    static final class Batches extends ChannelOutboundHandlerAdapter {
        final List<Integer> sizes = new ArrayList<>();
        int unflushed;

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
            unflushed++;
            ctx.write(msg, promise);
        }

        @Override
        public void flush(ChannelHandlerContext ctx) {
            if (unflushed > 0) {
                sizes.add(unflushed);
                unflushed = 0;
            }
            ctx.flush();
        }
    }

    @Test
    void commandsEnqueuedOnTheEventLoopAreWrittenAtOnceAndFlushedEveryFewFrames() throws Exception {
        DefaultEventLoopGroup group = new DefaultEventLoopGroup(1);
        try {
            LocalAddress address = new LocalAddress("write-queue-test");
            Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(LocalServerChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(address)
                    .sync()
                    .channel();
            Batches batches = new Batches();
            Channel channel = new Bootstrap()
                    .group(group)
                    .channel(LocalChannel.class)
                    .handler(batches)
                    .connect(address)
                    .sync()
                    .channel();
            WriteQueue<Integer> queue = new WriteQueue<>(channel, i -> channel.write(i), c -> {});
            int n = WriteQueue.EARLY_FLUSH;

            // One event-loop task, as when a read batch's calls are answered on the loop.
            List<Integer> duringTheTurn = channel.eventLoop()
                    .submit(() -> {
                        for (int i = 0; i < 3 * n + 1; i++) {
                            queue.enqueue(i);
                        }
                        return List.copyOf(batches.sizes);
                    })
                    .get();
            List<Integer> afterTheTurn =
                    channel.eventLoop().submit(() -> List.copyOf(batches.sizes)).get();

            // Three batches already on their way while the turn still works: the peer can start on them.
            assertThat(duringTheTurn).containsExactly(n, n, n);
            assertThat(afterTheTurn).containsExactly(n, n, n, 1); // the last, when the turn's work is done
            channel.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS)
                    .sync();
        }
    }

    @Test
    void aCommandEnqueuedByAHandlerIsQueuedNotHandledInsideIt() {
        EmbeddedChannel channel = new EmbeddedChannel();
        List<String> events = new ArrayList<>();
        WriteQueue<Integer>[] queue = new WriteQueue[1];
        queue[0] = new WriteQueue<>(
                channel,
                c -> {
                    events.add("start " + c);
                    if (c < 3) {
                        queue[0].enqueue(c + 1); // e.g. a failed call's callback issuing another call
                    }
                    events.add("end " + c);
                },
                c -> {});

        queue[0].enqueue(0);
        channel.runPendingTasks();

        // Each command finishes before the next starts: no recursion, whatever the chain's length.
        assertThat(events)
                .containsExactly("start 0", "end 0", "start 1", "end 1", "start 2", "end 2", "start 3", "end 3");
        channel.finishAndReleaseAll();
    }
}
