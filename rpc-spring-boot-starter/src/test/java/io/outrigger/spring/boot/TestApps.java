package io.outrigger.spring.boot;

import io.outrigger.core.testing.EchoService;
import io.outrigger.serialization.testing.proto.EchoReply;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Component;

/** The provider and consumer applications of the tests, and a ZooKeeper on 127.0.0.1. */
final class TestApps {

    private TestApps() {}

    /** A started ZooKeeper on 127.0.0.1 with short ticks. */
    static TestingServer zooKeeper() throws Exception {
        InstanceSpec spec = new InstanceSpec(
                null, -1, -1, -1, true, -1, 500, -1, Map.of("clientPortAddress", "127.0.0.1"), "127.0.0.1");
        return new TestingServer(spec, true);
    }

    /** Properties every test application gets: loopback only, short timeouts, a private file cache. */
    static List<String> common(TestingServer zk, Path cache) {
        List<String> p = new ArrayList<>();
        p.add("outrigger.registry.address=zookeeper://" + zk.getConnectString());
        p.add("outrigger.registry.cache-directory=" + cache);
        p.add("outrigger.registry.session-timeout=4s");
        p.add("outrigger.server.host=127.0.0.1");
        p.add("outrigger.server.announce-host=127.0.0.1");
        p.add("outrigger.server.io-threads=1");
        p.add("outrigger.client.io-threads=1");
        p.add("outrigger.client.warm-up=0s");
        p.add("spring.main.banner-mode=off");
        return p;
    }

    static ConfigurableApplicationContext run(Class<?> app, List<String> properties) {
        return new SpringApplicationBuilder(app)
                .web(WebApplicationType.NONE)
                .properties(properties.toArray(String[]::new))
                .run();
    }

    /** Exports {@link Echo}. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Echo.class)
    static class Provider {}

    /** Refers to the echo service from a field and a constructor parameter. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Caller.class, LocalEcho.class})
    static class Consumer {}

    /** Exports {@link Streaming}. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Streaming.class)
    static class StreamProvider {}

    /** Refers to the streaming service. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(StreamCaller.class)
    static class StreamConsumer {}

    /** Streams counted replies, joins a client stream, echoes a bidirectional one. */
    @RpcService
    static class Streaming implements io.outrigger.core.testing.StreamService {
        @Override
        public java.util.concurrent.Flow.Publisher<EchoReply> count(EchoRequest request) {
            return io.outrigger.core.stream.Streams.publisher(java.util.concurrent.ForkJoinPool.commonPool(), sink -> {
                for (int i = 0; i < request.getSleepMillis(); i++) {
                    sink.send(EchoReply.newBuilder()
                            .setText(request.getText() + "-" + i)
                            .build());
                }
            });
        }

        @Override
        public CompletionStage<EchoReply> join(java.util.concurrent.Flow.Publisher<EchoRequest> requests) {
            CompletableFuture<EchoReply> answer = new CompletableFuture<>();
            requests.subscribe(new java.util.concurrent.Flow.Subscriber<>() {
                final StringBuilder texts = new StringBuilder();

                @Override
                public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                @Override
                public void onNext(EchoRequest item) {
                    texts.append(item.getText());
                }

                @Override
                public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                }

                @Override
                public void onComplete() {
                    answer.complete(
                            EchoReply.newBuilder().setText(texts.toString()).build());
                }
            });
            return answer;
        }

        @Override
        public java.util.concurrent.Flow.Publisher<EchoReply> hold(EchoRequest request) {
            return new io.outrigger.core.testing.HeldPublisher(request.getText());
        }

        @Override
        public java.util.concurrent.Flow.Publisher<EchoReply> shout(
                java.util.concurrent.Flow.Publisher<EchoRequest> requests) {
            return new io.outrigger.core.testing.HeldPublisher("shout");
        }
    }

    /** A consumer bean of the streaming service. */
    static class StreamCaller {
        @RpcReference
        io.outrigger.core.testing.StreamService streams;
    }

    /** The echo service: answers with its name, so tests see which provider answered. */
    @RpcService(version = "1.2", tags = "blue")
    static class Echo implements EchoService {
        final AtomicInteger calls = new AtomicInteger();
        final String name;
        /** What the last call's context said: remaining ms and the tenant metadata. */
        volatile String lastContext;

        Echo(@Value("${test.name:provider}") String name) {
            this.name = name;
        }

        @Override
        public EchoReply echo(EchoRequest request) {
            calls.incrementAndGet();
            io.outrigger.core.CallContext context = io.outrigger.core.CallContext.current();
            lastContext = context.deadline().remainingNanos() / 1_000_000 + "ms tenant="
                    + context.metadata().get("tenant") + " secret="
                    + context.metadata().get("secret");
            if (request.getSleepMillis() > 0) {
                try {
                    Thread.sleep(request.getSleepMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return EchoReply.newBuilder()
                    .setText(request.getText() + " from " + name)
                    .build();
        }

        @Override
        public CompletionStage<EchoReply> echoAsync(EchoRequest request) {
            return CompletableFuture.completedFuture(echo(request));
        }

        @Override
        public EchoReply fail(EchoRequest request) {
            throw new IllegalStateException(request.getText());
        }
    }

    /** The fallback of {@link Caller#viaField}: answers locally. */
    @Component("localEcho")
    static class LocalEcho implements EchoService {
        @Override
        public EchoReply echo(EchoRequest request) {
            return EchoReply.newBuilder()
                    .setText(request.getText() + " from fallback")
                    .build();
        }

        @Override
        public CompletionStage<EchoReply> echoAsync(EchoRequest request) {
            return CompletableFuture.completedFuture(echo(request));
        }

        @Override
        public EchoReply fail(EchoRequest request) {
            return echo(request);
        }
    }

    /** Serves {@link io.outrigger.core.testing.HopService} by calling the echo service. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Middle.class)
    static class MiddleApp {}

    @RpcService
    static class Middle implements io.outrigger.core.testing.HopService {
        @RpcReference(timeout = "10s")
        EchoService echo;

        @Override
        public EchoReply hop(EchoRequest request, io.outrigger.core.CallContext context) {
            return echo.echo(request); // made while serving: inherits
        }

        @Override
        public CompletionStage<EchoReply> hopAsync(EchoRequest request, io.outrigger.core.CallContext context) {
            return echo.echoAsync(request);
        }
    }

    /** Calls the middle service with a tenant and a secret header. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Front.class)
    static class FrontApp {
        @org.springframework.context.annotation.Bean
        RpcClientBuilderCustomizer headers() {
            return b -> b.interceptor((request, next) ->
                    next.invoke(request.withHeader("tenant", "acme").withHeader("secret", "s3cr3t")));
        }
    }

    static class Front {
        @RpcReference(timeout = "800ms")
        io.outrigger.core.testing.HopService middle;
    }

    /** A consumer bean. */
    static class Caller {
        @RpcReference(version = "1.*", timeout = "2s", fallback = "localEcho")
        EchoService viaField;

        final EchoService viaConstructor;

        Caller(@RpcReference(version = "1.*") EchoService viaConstructor) {
            this.viaConstructor = viaConstructor;
        }

        String echo(EchoService service, String text) {
            return service.echo(EchoRequest.newBuilder().setText(text).build()).getText();
        }
    }
}
