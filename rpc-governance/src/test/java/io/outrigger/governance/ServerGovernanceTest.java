package io.outrigger.governance;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.CallAttributes;
import io.outrigger.core.Invoker;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.auth.AccessControl;
import io.outrigger.core.auth.BearerToken;
import io.outrigger.core.auth.TokenVerifier;
import io.outrigger.governance.internal.InMemoryRuleSource;
import io.outrigger.governance.internal.ManualClock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ServerGovernanceTest {

    @Test
    void rateLimitAndBulkheadAnswerResourceExhaustedAndRulesReplaceThemLive() {
        InMemoryRuleSource source = new InMemoryRuleSource();
        ManualClock clock = new ManualClock();
        ServerGovernance gov = ServerGovernance.builder()
                .rules(LiveRules.from(source))
                .clock(clock)
                .rateLimit("demo.UserService", "getUser", 3)
                .concurrencyLimit("demo.UserService", "*", 10)
                .build();
        CompletableFuture<RpcResponse> slow = new CompletableFuture<>();
        Invoker dispatch = Invoker.decorate(
                r -> r.method().equals("slow")
                        ? slow
                        : CompletableFuture.completedFuture(RpcResponse.ok(Payload.of("ok"))),
                gov.interceptors());
        RpcRequest get = RpcRequest.of("demo.UserService", "getUser", Payload.of("1"))
                .withAttribute(CallAttributes.REMOTE_ADDRESS, "127.0.0.1:40000");

        int ok = 0;
        for (int i = 0; i < 5; i++) {
            ok += dispatch.invoke(get).toCompletableFuture().join().isOk() ? 1 : 0;
        }
        assertThat(ok).isEqualTo(3);
        clock.advance(Duration.ofSeconds(1));

        source.set("demo.UserService", "{\"serverLimits\": {\"*\": {\"maxConcurrent\": 1}}}");
        RpcRequest slowCall = RpcRequest.of("demo.UserService", "slow", Payload.of("1"));
        dispatch.invoke(slowCall);
        RpcResponse rejected = dispatch.invoke(get).toCompletableFuture().join();
        assertThat(rejected.status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(rejected.status().description())
                .isEqualTo("concurrency limit of demo.UserService (all methods) reached: 1 calls in flight "
                        + "(server limit; caller 127.0.0.1:40000)");
        slow.complete(RpcResponse.ok(Payload.of("done")));
        assertThat(dispatch.invoke(get).toCompletableFuture().join().isOk()).isTrue();
    }

    @Test
    void accessControlRunsBeforeTheLimitsSoRefusedCallersSpendNoPermits() {
        ManualClock clock = new ManualClock();
        ServerGovernance gov = ServerGovernance.builder()
                .clock(clock)
                .rateLimit("demo.UserService", "*", 2)
                .accessControl(AccessControl.builder()
                        .tokens(TokenVerifier.of(Map.of("t-billing", "billing")))
                        .allow("demo.UserService", "*", "billing")
                        .build())
                .build();
        Invoker dispatch = Invoker.decorate(
                r -> CompletableFuture.completedFuture(RpcResponse.ok(Payload.of("ok"))), gov.interceptors());
        RpcRequest anonymous = RpcRequest.of("demo.UserService", "getUser", Payload.of("1"))
                .withAttribute(CallAttributes.REMOTE_ADDRESS, "127.0.0.1:40000");
        RpcRequest billing = anonymous.withHeader(BearerToken.HEADER, "Bearer t-billing");

        for (int i = 0; i < 5; i++) {
            assertThat(dispatch.invoke(anonymous)
                            .toCompletableFuture()
                            .join()
                            .status()
                            .code())
                    .isEqualTo(Status.Code.UNAUTHENTICATED);
        }
        assertThat(dispatch.invoke(billing).toCompletableFuture().join().isOk()).isTrue();
        assertThat(dispatch.invoke(billing).toCompletableFuture().join().isOk()).isTrue();
        RpcResponse limited = dispatch.invoke(billing).toCompletableFuture().join();
        assertThat(limited.status().code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(limited.status().description()).endsWith("(server limit; caller 'billing' at 127.0.0.1:40000)");
    }
}
