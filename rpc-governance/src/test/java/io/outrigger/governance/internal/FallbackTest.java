package io.outrigger.governance.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.governance.Fallback;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class FallbackTest {

    /** A service interface as users write them: one message in, one message out. */
    public interface Users {
        String getUser(String id);

        CompletionStage<String> getUserAsync(String id);

        String failing(String id);
    }

    static final class CachedUsers implements Users {
        @Override
        public String getUser(String id) {
            return "cached:" + id;
        }

        @Override
        public CompletionStage<String> getUserAsync(String id) {
            return CompletableFuture.completedFuture("async:" + id);
        }

        @Override
        public String failing(String id) {
            throw new IllegalStateException("no cache either");
        }
    }

    private final InMemoryRuleSource source = new InMemoryRuleSource();
    private final RuleStore store = new RuleStore(source);

    private static RpcRequest call(String method) {
        return RpcRequest.of("demo.UserService", method, Payload.of("42"));
    }

    private static RpcResponse join(CompletionStage<RpcResponse> stage) {
        return stage.toCompletableFuture().join();
    }

    private FallbackInterceptor interceptor() {
        return new FallbackInterceptor(
                Map.of("demo.UserService", Fallback.of(Users.class, new CachedUsers())),
                Set.of(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED),
                store);
    }

    @Test
    void usedWhenTheCallFails() {
        FakeEndpoint down = FakeEndpoint.of(1).answering(RpcResponse.failure(Status.UNAVAILABLE));
        FallbackInterceptor fallback = interceptor();
        assertThat(join(fallback.intercept(call("getUser"), down)).payload()).isEqualTo(Payload.of("cached:42"));
        assertThat(join(fallback.intercept(call("getUserAsync"), down)).payload())
                .isEqualTo(Payload.of("async:42"));
        RpcResponse failed = join(fallback.intercept(call("failing"), down));
        assertThat(failed.status().code()).isEqualTo(Status.Code.UNKNOWN);
        assertThat(failed.status().description()).contains("no cache either");
        assertThat(down.calls()).isEqualTo(3);
    }

    @Test
    void notUsedForAnswersOrSuccess() {
        FakeEndpoint answering = FakeEndpoint.of(1).answering(RpcResponse.failure(Status.NOT_FOUND));
        assertThat(join(interceptor().intercept(call("getUser"), answering))
                        .status()
                        .code())
                .isEqualTo(Status.Code.NOT_FOUND);
        FakeEndpoint up = FakeEndpoint.of(1).answering(RpcResponse.ok(Payload.of("live")));
        assertThat(join(interceptor().intercept(call("getUser"), up)).payload()).isEqualTo(Payload.of("live"));
    }

    @Test
    void usedWithoutCallingAnyProviderWhileDegradedByRule() {
        FakeEndpoint up = FakeEndpoint.of(1).answering(RpcResponse.ok(Payload.of("live")));
        FallbackInterceptor fallback = interceptor();
        source.set("demo.UserService", "{\"degrade\": [\"getUser\"]}");
        assertThat(join(fallback.intercept(call("getUser"), up)).payload()).isEqualTo(Payload.of("cached:42"));
        assertThat(join(fallback.intercept(call("getUserAsync"), up)).payload()).isEqualTo(Payload.of("live"));
        assertThat(up.calls()).isEqualTo(1);

        source.set("demo.UserService", "{\"degrade\": [\"*\"]}");
        assertThat(join(fallback.intercept(call("getUserAsync"), up)).payload()).isEqualTo(Payload.of("async:42"));
        assertThat(up.calls()).isEqualTo(1);

        source.set("demo.UserService", null);
        assertThat(join(fallback.intercept(call("getUser"), up)).payload()).isEqualTo(Payload.of("live"));
    }

    @Test
    void degradedWithoutFallbackFailsSayingSo() {
        FakeEndpoint up = FakeEndpoint.of(1);
        FallbackInterceptor none = new FallbackInterceptor(Map.of(), Set.of(Status.Code.UNAVAILABLE), store);
        source.set("demo.UserService", "{\"degrade\": [\"*\"]}");
        RpcResponse r = join(none.intercept(call("getUser"), up));
        assertThat(r.status().code()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(r.status().description())
                .isEqualTo("demo.UserService/getUser is degraded by the service's rules and has no fallback");
        assertThat(up.calls()).isZero();
    }

    @Test
    void typedFallbackChecksItsArguments() {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Class<Users> wrong = (Class) CachedUsers.class;
        assertThatThrownBy(() -> Fallback.of(wrong, new CachedUsers())).hasMessageContaining("expected: an interface");
        Fallback f = Fallback.of(Users.class, new CachedUsers());
        assertThat(join(f.apply(call("nope"), null)).status().code()).isEqualTo(Status.Code.UNIMPLEMENTED);
    }
}
