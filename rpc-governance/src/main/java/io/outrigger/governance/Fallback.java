package io.outrigger.governance;

import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.governance.internal.TypedFallback;
import java.util.concurrent.CompletionStage;

/**
 * What a service answers when it cannot be reached: used when a call fails after every retry (with a
 * status in {@link ClientGovernance.Builder#fallbackOn}), and for every call while the service's
 * rules switch on forced degrade ({@code "degrade"}).
 *
 * <p>Most users give an implementation of the service interface, invoked for the method the call
 * names:
 *
 * <pre>{@code
 * Fallback fallback = Fallback.of(UserService.class, new UserService() {
 *     public User getUser(GetUserRequest request) {
 *         return User.newBuilder().setId(request.getId()).setName("unknown").build();
 *     }
 * });
 * }</pre>
 *
 * <p>Implementations must be thread-safe and must not block.
 */
@FunctionalInterface
public interface Fallback {

    /**
     * The response for {@code request}.
     *
     * @param failure the status the call failed with, or {@code null} when the call is degraded by
     *     rule and was never sent
     */
    CompletionStage<RpcResponse> apply(RpcRequest request, Status failure);

    /**
     * A fallback that calls {@code implementation}'s method named by {@link RpcRequest#method()} with
     * the request message, and answers with {@code RpcResponse.ok(Payload.of(result))}. Methods may
     * return a message or a {@code CompletionStage} of one; an exception they throw becomes the
     * response's status ({@link Status#fromThrowable}).
     *
     * @throws IllegalArgumentException if {@code serviceInterface} is not an interface
     */
    static <T> Fallback of(Class<T> serviceInterface, T implementation) {
        return new TypedFallback<>(serviceInterface, implementation);
    }
}
