package io.outrigger.core.client;

import static io.outrigger.serialization.testing.TestMessages.echoRequest;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoop;
import io.outrigger.core.Invoker;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.internal.transport.SharedEventLoops;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.registry.StaticRegistry;
import io.outrigger.core.server.RpcServer;
import io.outrigger.core.testing.EchoService;
import io.outrigger.core.testing.EchoServiceImpl;
import io.outrigger.core.testing.ServerExtension;
import io.outrigger.serialization.ProtobufSerializer;
import io.outrigger.serialization.testing.proto.EchoReply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A client on event loops it does not own: one connection per loop, calls stay on their loop. */
class EventLoopsTest {

    static final EventLoops eventLoops = EventLoops.create(2, "shared-test-io");

    /** The same loops, seen from inside, so that the test can run calls on them. */
    static final SharedEventLoops loops = SharedEventLoops.of(eventLoops);

    @RegisterExtension
    final ServerExtension server = new ServerExtension(
            b -> b.service(EchoService.class, new EchoServiceImpl()),
            c -> c.eventLoops(eventLoops).connectionsPerEndpoint(eventLoops.size()));

    @AfterAll
    static void closeLoops() {
        eventLoops.close();
    }

    @Test
    void createValidatesAndOnlyItsLoopsAreAccepted() {
        assertThat(eventLoops.size()).isEqualTo(2);
        assertThatThrownBy(() -> EventLoops.create(0, "x")).hasMessage("threads: 0 (expected: 1..256)");
        assertThatThrownBy(() -> EventLoops.create(1, " ")).hasMessageStartingWith("name: blank");
        EventLoops foreign = new EventLoops() {
            @Override
            public int size() {
                return 1;
            }

            @Override
            public void close() {}
        };
        assertThatThrownBy(() -> RpcClient.builder().eventLoops(foreign))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("(expected: event loops made by EventLoops.create(threads, name))");
    }

    @Test
    void aCallMadeOnALoopIsAnsweredOnThatLoop() throws Exception {
        Invoker invoker = server.client().invoker("test.EchoService");
        // The first call may be answered on another loop: its own loop's connection may not be up
        // yet (a provider's connections start on the next loop in turn), and calls never wait for one.
        assertThat(callFrom(loops.loops().get(0), invoker).get(5, TimeUnit.SECONDS))
                .isIn(loops.loops());

        // Once each loop has its connection, every call completes on the loop that made it; with
        // connections taken in turns, about half would complete on the other loop.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<CompletableFuture<EventLoop>> answered = new ArrayList<>();
            List<EventLoop> callers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                EventLoop caller = loops.loops().get(i % 2);
                callers.add(caller);
                answered.add(callFrom(caller, invoker));
            }
            for (int i = 0; i < 20; i++) {
                assertThat(answered.get(i).get(5, TimeUnit.SECONDS))
                        .as("call %d", i)
                        .isSameAs(callers.get(i));
            }
        });
        assertThat(server.server().connectionCount()).isEqualTo(2); // one per loop
    }

    @Test
    void closingTheClientLeavesTheLoopsRunning() {
        EchoService echo = server.client().refer(EchoService.class);
        assertThat(echo.echo(echoRequest("first")).getText()).isEqualTo("first");

        server.stop();
        server.start();

        assertThat(loops.group().isShuttingDown()).isFalse();
        EchoReply reply = server.client().refer(EchoService.class).echo(echoRequest("again"));
        assertThat(reply.getText()).isEqualTo("again");
    }

    @Test
    void theConnectionsOfDifferentProvidersSpreadOverTheLoops() throws Exception {
        StaticRegistry registry = new StaticRegistry();
        List<RpcServer> providers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                RpcServer provider = RpcServer.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .service(EchoService.class, new EchoServiceImpl())
                        .build()
                        .start();
                providers.add(provider);
                registry.register(ServiceInstance.builder("test.EchoService", "127.0.0.1", provider.port())
                        .build());
            }
            try (RpcClient client = RpcClient.builder()
                    .registry(registry)
                    .eventLoops(eventLoops)
                    .build()) {
                Invoker invoker = client.invoker("test.EchoService");
                Set<EventLoop> answeredOn = new HashSet<>();
                // Round robin: each provider about half of them. A call answered before its callback is
                // attached completes on this thread (null), which says nothing about the loops.
                for (int i = 0; i < 50 && answeredOn.size() < 2; i++) {
                    EventLoop loop = callFrom(null, invoker).get(5, TimeUnit.SECONDS);
                    if (loop != null) {
                        answeredOn.add(loop);
                    }
                }
                // One connection per provider (the default); the two are on different loops.
                assertThat(answeredOn).containsExactlyInAnyOrderElementsOf(loops.loops());
            }
        } finally {
            for (RpcServer provider : providers) {
                provider.shutdown(Duration.ZERO);
            }
        }
    }

    /**
     * Invokes on {@code loop} ({@code null}: on the calling thread); completes with the loop whose
     * thread completed the call.
     */
    private static CompletableFuture<EventLoop> callFrom(EventLoop loop, Invoker invoker) {
        CompletableFuture<EventLoop> completedOn = new CompletableFuture<>();
        Executor caller = loop == null ? Runnable::run : loop;
        caller.execute(() -> invoker.invoke(RpcRequest.of(
                        "test.EchoService",
                        "echo",
                        Payload.encoded(
                                ProtobufSerializer.ID, echoRequest("where").toByteArray())))
                .whenComplete((RpcResponse response, Throwable error) -> {
                    if (error != null || !response.isOk()) {
                        completedOn.completeExceptionally(
                                new AssertionError("call failed: " + (error != null ? error : response.status())));
                        return;
                    }
                    completedOn.complete(loops.loops().stream()
                            .filter(EventLoop::inEventLoop)
                            .findFirst()
                            .orElse(null));
                }));
        return completedOn;
    }
}
