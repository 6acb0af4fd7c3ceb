package io.outrigger.core.internal.server;

import io.outrigger.core.Interceptor;
import io.outrigger.core.Invoker;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place where the order of the server chain is written down. Outermost first:
 *
 * <pre>
 * tracing     outermost: the server span covers everything below, refusals by auth and limits
 *             included, and its context is current (trace ids in the MDC) for all of it
 * metrics     inside tracing, so they run in the span's context (the access log writes its trace id);
 * access log  outside auth and limits, so refused calls are counted and logged with their status
 * auth        before the limits: an anonymous or forbidden caller is refused before it takes a
 *             rate-limit permit or a bulkhead slot, so a flood of unauthenticated calls cannot use up
 *             the limits of the callers who are allowed; limit refusals then name the caller
 * limits      rate limits and bulkheads, after auth (above); before user interceptors, so a refused
 *             call costs none of their work, and a bulkhead slot covers the user interceptors too
 * user        in the order added: they see an authenticated caller (AccessControl.CALLER) that
 *             passed the limits, and may still refuse or answer it themselves
 * dispatch    finds the service (UNIMPLEMENTED if none); the dispatcher attaches the call context
 *             innermost, just before the service method runs
 * </pre>
 *
 * <p>Where it runs: the dispatcher calls the whole chain on the business executor for methods that
 * return a plain message, and on the event loop that read the request for methods returning a
 * {@code CompletionStage} and generic {@link Invoker} services (see {@code
 * RpcServer.Builder.nonBlockingOnEventLoop}). A failure answered before dispatch reached the service
 * is marked "not run" by the dispatcher.
 *
 * <p>Absent slots ({@code null}) are skipped. Immutable and thread-safe.
 *
 * @param tracing the server span; null for none
 * @param metrics call metrics; null for none
 * @param accessLog the access log; null for none
 * @param auth authentication and authorization (e.g. {@code AccessControl}); null for none
 * @param limits rate limits and bulkheads, outermost first
 * @param user the application's interceptors, outermost first
 */
public record ServerChain(
        Interceptor tracing,
        Interceptor metrics,
        Interceptor accessLog,
        Interceptor auth,
        List<Interceptor> limits,
        List<Interceptor> user) {

    public ServerChain {
        limits = List.copyOf(limits);
        user = List.copyOf(user);
    }

    /** The interceptors in the order a call meets them, outermost first; the order is the one above. */
    public List<Interceptor> outermostFirst() {
        List<Interceptor> chain = new ArrayList<>();
        addIfPresent(chain, tracing);
        addIfPresent(chain, metrics);
        addIfPresent(chain, accessLog);
        addIfPresent(chain, auth);
        chain.addAll(limits);
        chain.addAll(user);
        return List.copyOf(chain);
    }

    /** {@code dispatch} wrapped by the chain. */
    public Invoker around(Invoker dispatch) {
        return Invoker.decorate(dispatch, outermostFirst());
    }

    private static void addIfPresent(List<Interceptor> chain, Interceptor interceptor) {
        if (interceptor != null) {
            chain.add(interceptor);
        }
    }
}
