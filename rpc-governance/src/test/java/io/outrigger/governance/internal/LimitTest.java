package io.outrigger.governance.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.CallAttributes;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class LimitTest {

    private static final RpcRequest CALL = RpcRequest.of("demo.UserService", "getUser", Payload.of("req"))
            .withAttribute(CallAttributes.REMOTE_ADDRESS, "127.0.0.1:50123");
    private static final RpcRequest OTHER = RpcRequest.of("demo.UserService", "listUsers", Payload.of("req"));

    private final ManualClock clock = new ManualClock();
    private final Ticker ticker = Ticker.of(clock);
    private final InMemoryRuleSource source = new InMemoryRuleSource();
    private final RuleStore store = new RuleStore(source);

    private static RpcResponse join(CompletionStage<RpcResponse> stage) {
        return stage.toCompletableFuture().join();
    }

    private LimitInterceptor limits(String method, Integer rate, Integer concurrent) {
        return new LimitInterceptor(
                LimitInterceptor.Side.SERVER,
                Map.of("demo.UserService", Map.of(method, new RuleDocument.Limit(rate, concurrent))),
                store,
                ticker);
    }

    @Test
    void rateLimitAnswersResourceExhaustedAtOnceNamingTheLimitAndTheCaller() {
        FakeEndpoint service = FakeEndpoint.of(1);
        LimitInterceptor limits = limits("getUser", 2, null);
        assertThat(join(limits.intercept(CALL, service)).isOk()).isTrue();
        assertThat(join(limits.intercept(CALL, service)).isOk()).isTrue();
        RpcResponse third = join(limits.intercept(CALL, service));
        assertThat(third.status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(third.status().description())
                .isEqualTo("rate limit of demo.UserService/getUser exceeded: 2 calls/s "
                        + "(server limit; caller 127.0.0.1:50123)");
        assertThat(service.calls()).isEqualTo(2);
        assertThat(join(limits.intercept(OTHER, service)).isOk()).isTrue(); // another method: no limit

        clock.advance(Duration.ofSeconds(1));
        assertThat(join(limits.intercept(CALL, service)).isOk()).isTrue();
    }

    @Test
    void fullBulkheadAnswersResourceExhaustedUntilACallFinishes() {
        CompletableFuture<RpcResponse> pending = new CompletableFuture<>();
        FakeEndpoint service = FakeEndpoint.of(1).answering(r -> pending);
        LimitInterceptor limits = limits("*", null, 2);
        CompletionStage<RpcResponse> first = limits.intercept(CALL, service);
        limits.intercept(OTHER, service);
        RpcResponse third = join(limits.intercept(CALL, service));
        assertThat(third.status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(third.status().description())
                .startsWith("concurrency limit of demo.UserService (all methods) reached: 2 calls in flight");

        pending.complete(RpcResponse.ok(Payload.of("done")));
        assertThat(join(first).isOk()).isTrue();
        service.answering(RpcResponse.ok(Payload.of("quick")));
        assertThat(join(limits.intercept(CALL, service)).isOk()).isTrue();
    }

    @Test
    void rulesChangeLimitsLive() {
        FakeEndpoint service = FakeEndpoint.of(1);
        LimitInterceptor limits = new LimitInterceptor(LimitInterceptor.Side.SERVER, Map.of(), store, ticker);
        for (int i = 0; i < 10; i++) {
            assertThat(join(limits.intercept(CALL, service)).isOk()).isTrue();
        }
        source.set("demo.UserService", "{\"serverLimits\": {\"getUser\": {\"permitsPerSecond\": 1}}}");
        assertThat(join(limits.intercept(CALL, service)).isOk()).isTrue();
        assertThat(join(limits.intercept(CALL, service)).status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

        // A client-side section does not limit the server.
        source.set("demo.UserService", "{\"clientLimits\": {\"getUser\": {\"permitsPerSecond\": 1}}}");
        for (int i = 0; i < 5; i++) {
            assertThat(join(limits.intercept(CALL, service)).isOk()).isTrue();
        }
    }
}
