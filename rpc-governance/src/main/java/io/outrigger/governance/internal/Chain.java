package io.outrigger.governance.internal;

import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import java.util.List;

/** Composes interceptors into one, the first outermost. */
public final class Chain {

    private Chain() {}

    /** One interceptor running {@code interceptors} in order, the first outermost, then {@code next}. */
    public static Interceptor of(List<Interceptor> interceptors) {
        List<Interceptor> list = List.copyOf(interceptors);
        if (list.size() == 1) {
            return list.get(0);
        }
        return new Interceptor() {
            @Override
            public java.util.concurrent.CompletionStage<io.outrigger.core.RpcResponse> intercept(
                    io.outrigger.core.RpcRequest request, Invoker next) {
                return Invoker.decorate(next, list).invoke(request);
            }

            @Override
            public String toString() {
                return list.toString();
            }
        };
    }
}
