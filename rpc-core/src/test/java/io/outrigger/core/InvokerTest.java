package io.outrigger.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class InvokerTest {

    private static Interceptor recording(List<String> seen, String name) {
        return (request, next) -> {
            seen.add(name);
            return next.invoke(request);
        };
    }

    @Test
    void decorateRunsTheListOutermostFirstThenTheInnerInvoker() {
        List<String> seen = new ArrayList<>();
        Invoker inner = request -> {
            seen.add("inner");
            return CompletableFuture.completedFuture(RpcResponse.ok(Payload.EMPTY));
        };
        List<Interceptor> chain =
                new ArrayList<>(List.of(recording(seen, "a"), recording(seen, "b"), recording(seen, "c")));
        Invoker decorated = Invoker.decorate(inner, chain);
        chain.clear(); // read once, when decorating

        decorated
                .invoke(RpcRequest.of("s", "m", Payload.EMPTY))
                .toCompletableFuture()
                .join();

        assertThat(seen).containsExactly("a", "b", "c", "inner");
    }

    @Test
    void decorateWithNoInterceptorIsTheInnerInvokerItself() {
        Invoker inner = request -> CompletableFuture.completedFuture(RpcResponse.ok(Payload.EMPTY));
        assertThat(Invoker.decorate(inner, List.of())).isSameAs(inner);
    }

    @Test
    void decorateRefusesNulls() {
        Invoker inner = request -> CompletableFuture.completedFuture(RpcResponse.ok(Payload.EMPTY));
        assertThatThrownBy(() -> Invoker.decorate(null, List.of())).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Invoker.decorate(inner, Arrays.asList((Interceptor) null)))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("interceptor");
    }
}
