package io.outrigger.sidecar;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A test client speaking HTTP/2 with prior knowledge (h2c) over one connection on Netty: every call
 * is a stream of that connection, so many can be in flight at once.
 */
final class H2cClient implements AutoCloseable {

    /** One answer: the status, the headers (lower-case names), the body, and a reset's code if any. */
    record Answer(int status, Map<String, String> headers, byte[] body, Long resetCode) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel channel;
    private final int port;

    H2cClient(int port) {
        this.port = port;
        this.channel = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(Http2FrameCodecBuilder.forClient()
                                        // Sends what the test asks, even over the sidecar's limit.
                                        .encoderIgnoreMaxHeaderListSize(true)
                                        .build())
                                .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                })
                .connect("127.0.0.1", port)
                .syncUninterruptibly()
                .channel();
    }

    /** Whether the connection is still open. */
    boolean isOpen() {
        return channel.isActive();
    }

    /** Sends a request on a new stream of the connection. */
    CompletableFuture<Answer> send(String method, String path, Map<String, String> headers, byte[] body) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        new Http2StreamChannelBootstrap(channel)
                .handler(new StreamReader(answer))
                .open()
                .addListener(opened -> {
                    if (!opened.isSuccess()) {
                        answer.completeExceptionally(opened.cause());
                        return;
                    }
                    Http2StreamChannel stream = (Http2StreamChannel) opened.getNow();
                    Http2Headers h = new DefaultHttp2Headers()
                            .method(method)
                            .path(path)
                            .scheme("http")
                            .authority("127.0.0.1:" + port);
                    headers.forEach((name, value) -> h.add(name.toLowerCase(Locale.ROOT), value));
                    boolean empty = body.length == 0;
                    stream.write(new DefaultHttp2HeadersFrame(h, empty));
                    if (!empty) {
                        stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
                    }
                    stream.flush();
                });
        return answer;
    }

    /**
     * Sends a request and, once it is written, resets its stream ({@code RST_STREAM(CANCEL)}), as a
     * client that gives up on a call does.
     */
    CompletableFuture<Void> postThenReset(String path, String contentType, byte[] body) {
        CompletableFuture<Void> reset = new CompletableFuture<>();
        new Http2StreamChannelBootstrap(channel)
                .handler(new ChannelInboundHandlerAdapter())
                .open()
                .addListener(opened -> {
                    if (!opened.isSuccess()) {
                        reset.completeExceptionally(opened.cause());
                        return;
                    }
                    Http2StreamChannel stream = (Http2StreamChannel) opened.getNow();
                    Http2Headers h = new DefaultHttp2Headers()
                            .method("POST")
                            .path(path)
                            .scheme("http")
                            .authority("127.0.0.1:" + port)
                            .add("content-type", contentType);
                    stream.write(new DefaultHttp2HeadersFrame(h, false));
                    stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true))
                            .addListener(written -> stream.close().addListener(closed -> reset.complete(null)));
                });
        return reset;
    }

    /**
     * Starts a request and sends {@code body} without ending the stream, as a client still sending a
     * large body does; the answer completes if the server answers before the request ends.
     */
    CompletableFuture<Answer> postUnfinished(String path, String contentType, byte[] body) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        new Http2StreamChannelBootstrap(channel)
                .handler(new StreamReader(answer))
                .open()
                .addListener(opened -> {
                    if (!opened.isSuccess()) {
                        answer.completeExceptionally(opened.cause());
                        return;
                    }
                    Http2StreamChannel stream = (Http2StreamChannel) opened.getNow();
                    Http2Headers h = new DefaultHttp2Headers()
                            .method("POST")
                            .path(path)
                            .scheme("http")
                            .authority("127.0.0.1:" + port)
                            .add("content-type", contentType);
                    stream.write(new DefaultHttp2HeadersFrame(h, false));
                    stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), false));
                });
        return answer;
    }

    CompletableFuture<Answer> post(String path, String contentType, byte[] body) {
        return send("POST", path, Map.of("content-type", contentType), body);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Collects one stream's answer. */
    private static final class StreamReader extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Answer> answer;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private int status;

        StreamReader(CompletableFuture<Answer> answer) {
            this.answer = answer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                boolean end;
                if (msg instanceof Http2HeadersFrame frame) {
                    if (status == 0) {
                        status = frame.headers().status() == null
                                ? -1
                                : Integer.parseInt(frame.headers().status().toString());
                        frame.headers()
                                .forEach(h -> headers.put(
                                        h.getKey().toString(), h.getValue().toString()));
                    }
                    end = frame.isEndStream();
                } else if (msg instanceof Http2DataFrame frame) {
                    byte[] bytes = new byte[frame.content().readableBytes()];
                    frame.content().readBytes(bytes);
                    body.writeBytes(bytes);
                    end = frame.isEndStream();
                } else {
                    end = false;
                }
                if (end) {
                    answer.complete(new Answer(status, headers, body.toByteArray(), null));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame reset) {
                answer.complete(new Answer(status, headers, body.toByteArray(), reset.errorCode()));
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            answer.completeExceptionally(new IllegalStateException("stream closed before its answer"));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            answer.completeExceptionally(cause);
            ctx.close();
        }
    }
}
