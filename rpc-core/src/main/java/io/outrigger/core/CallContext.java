package io.outrigger.core;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import io.outrigger.core.auth.AccessControl;
import io.outrigger.core.internal.Cancellation;
import io.outrigger.core.tls.PeerPrincipal;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;

/**
 * The call a service is serving: its service and method, the caller's remaining {@link Deadline},
 * the request's {@link Metadata}, who the caller is, and whether the caller has cancelled it.
 *
 * <p>Service code gets it two ways: as an optional second parameter of a service method, or as the
 * current context of the thread running the method:
 *
 * <pre>{@code
 * public interface UserService {
 *     User getUser(GetUserRequest request, CallContext context); // the context is optional
 * }
 *
 * User getUser(GetUserRequest request, CallContext context) {
 *     log.info("{} asks, {} ms left", context.caller(), context.deadline().remainingNanos() / 1_000_000);
 *     if (context.isCancelled()) throw RpcException.of(context.cancellationReason());
 *     return accounts.getAccount(...);   // runs with this context: deadline and allowed keys propagate
 * }
 * }</pre>
 *
 * <p><b>Immutable and scoped.</b> The server attaches the context for the duration of the service
 * method and restores the previous one in {@code finally}; nothing of it stays on the thread
 * afterwards. It lives in OpenTelemetry's {@link Context} (the same one that carries the current
 * span), so one mechanism carries both across threads: {@link #wrap(Executor)} (or OpenTelemetry's
 * {@code Context.taskWrapping}) for executors, {@link #wrap(Runnable)} for single tasks. A task
 * submitted without wrapping runs without the context, and calls it makes propagate nothing.
 *
 * <p><b>Propagation.</b> A call made while the context is current (directly, or from a wrapped task)
 * inherits from it, unless the client or reference opts out: the remaining deadline, minus the
 * client's margin, caps the new call's timeout; the metadata keys the client is told to propagate
 * are copied (none by default); cancelling this call cancels it. See {@code
 * RpcClient.Builder#propagateKeys} and {@link #runDetached}.
 *
 * <p><b>Cancellation</b> is cooperative: the caller cancelled (its future, or its own call), its
 * connection closed, or the deadline passed. A call still queued when cancelled never runs; a
 * running one is told through {@link #isCancelled} and {@link #whenCancelled}, and its answer is not
 * sent.
 */
public final class CallContext {

    private static final ContextKey<CallContext> KEY = ContextKey.named("outrigger-call-context");

    /** Marks "no call" in a context derived from one that had a call (see {@link #runDetached}). */
    private static final CallContext DETACHED = new CallContext(RpcRequest.of("-", "-", Payload.EMPTY), null);

    private final String service;
    private final String method;
    private final Deadline deadline;
    private final Metadata metadata;
    private final Attributes attributes;
    private final Cancellation cancellation;

    private CallContext(RpcRequest request, Cancellation cancellation) {
        this.service = request.service();
        this.method = request.method();
        this.deadline = request.deadline();
        this.metadata = request.metadata();
        this.attributes = request.attributes();
        this.cancellation = cancellation;
    }

    /**
     * The context of {@code request} as the server sees it: what it hands to service code. Public
     * so that tests can call service methods that take a context; such a context is cancelled only
     * by its deadline passing (if the request was built by Outrigger's server, by the caller too).
     */
    public static CallContext of(RpcRequest request) {
        Objects.requireNonNull(request, "request");
        Cancellation c = request.attributes().get(Cancellation.KEY);
        if (c == null) {
            c = new Cancellation();
            request = request.withAttribute(Cancellation.KEY, c); // where downstream calls find it
        }
        return new CallContext(request, c);
    }

    /** The call the current thread is serving, or {@code null} if none. */
    public static CallContext current() {
        CallContext c = Context.current().get(KEY);
        return c == DETACHED ? null : c;
    }

    /**
     * Makes this the current call until the scope is closed, as the server does around a service
     * method. Use in try-with-resources; close it on the same thread.
     */
    public Scope makeCurrent() {
        return Context.current().with(KEY, this).makeCurrent();
    }

    /** The service called, e.g. {@code demo.UserService}. */
    public String service() {
        return service;
    }

    /** The method called, e.g. {@code getUser}. */
    public String method() {
        return method;
    }

    /** {@code service/method}, for logs. */
    public String fullMethodName() {
        return service + '/' + method;
    }

    /** When the caller stops waiting ({@link Deadline#NONE} if it gave none). */
    public Deadline deadline() {
        return deadline;
    }

    /** The request's metadata, as received. */
    public Metadata metadata() {
        return metadata;
    }

    /** The request's local attributes, as set by the server and its interceptors. */
    public Attributes attributes() {
        return attributes;
    }

    /** The caller's address, {@code host:port}, or {@code null} (a call that did not come over the network). */
    public String remoteAddress() {
        return attributes.get(CallAttributes.REMOTE_ADDRESS);
    }

    /**
     * The identity in the caller's verified TLS client certificate, or {@code null} (no TLS, or no
     * client certificate).
     */
    public PeerPrincipal peerPrincipal() {
        return attributes.get(CallAttributes.PEER_PRINCIPAL);
    }

    /**
     * Who the caller is, as an {@link AccessControl} on this server established it (the bearer
     * token's identity, or the certificate's), or {@code null} without one.
     */
    public String caller() {
        return attributes.get(AccessControl.CALLER);
    }

    /** Whether the caller cancelled the call, its connection closed, or its deadline passed. */
    public boolean isCancelled() {
        return cancellation.isCancelled() || deadline.isExpired();
    }

    /**
     * Why the call is cancelled ({@code CANCELLED} or {@code DEADLINE_EXCEEDED}, with a description),
     * or {@code null} while it is not.
     */
    public Status cancellationReason() {
        Status s = cancellation.status();
        if (s == null && deadline.isExpired()) {
            s = deadlineReason();
        }
        return s;
    }

    /**
     * Completes with the reason when the call is cancelled (or its deadline passes); never completes
     * for a call that ends normally. Callbacks run on the thread that cancels (an event loop): keep
     * them short and never block in them.
     */
    public CompletionStage<Status> whenCancelled() {
        cancellation.armDeadline(deadline.remainingNanos(), deadlineReason());
        return cancellation.whenCancelled();
    }

    private Status deadlineReason() {
        return Status.DEADLINE_EXCEEDED.withDescription(fullMethodName() + ": the caller's deadline passed");
    }

    /**
     * {@code task} bound to the current context (call context and span alike): it runs with it on
     * whatever thread runs it. The same as OpenTelemetry's {@code Context.current().wrap(task)}.
     */
    public static Runnable wrap(Runnable task) {
        return Context.current().wrap(task);
    }

    /** {@code task} bound to the current context; see {@link #wrap(Runnable)}. */
    public static <T> Callable<T> wrap(Callable<T> task) {
        return Context.current().wrap(task);
    }

    /**
     * An executor that runs each task with the context current when it was <em>submitted</em>. The
     * same as OpenTelemetry's {@code Context.taskWrapping(executor)}.
     */
    public static Executor wrap(Executor executor) {
        return Context.taskWrapping(executor);
    }

    /** An executor service that runs each task with the context current when it was submitted. */
    public static ExecutorService wrap(ExecutorService executor) {
        return Context.taskWrapping(executor);
    }

    /**
     * Runs {@code action} with no current call: calls it makes inherit no deadline, no keys and no
     * cancellation (the span, if any, stays current). For work that must outlive the call it serves.
     */
    public static void runDetached(Runnable action) {
        try (Scope ignored = Context.current().with(KEY, DETACHED).makeCurrent()) {
            action.run();
        }
    }

    /** Like {@link #runDetached(Runnable)}, returning {@code action}'s result. */
    public static <T> T callDetached(Supplier<T> action) {
        try (Scope ignored = Context.current().with(KEY, DETACHED).makeCurrent()) {
            return action.get();
        }
    }

    @Override
    public String toString() {
        return "CallContext[" + fullMethodName() + ", " + deadline + (isCancelled() ? ", cancelled" : "") + "]";
    }
}
