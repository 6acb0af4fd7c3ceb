package io.outrigger.core.internal.server;

import io.opentelemetry.context.Scope;
import io.outrigger.core.CallAttributes;
import io.outrigger.core.CallContext;
import io.outrigger.core.Deadline;
import io.outrigger.core.Invoker;
import io.outrigger.core.Payload;
import io.outrigger.core.RequestNotRunException;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.internal.Cancellation;
import io.outrigger.core.internal.protocol.Frame;
import io.outrigger.core.internal.stream.StreamPeer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the server chain for each request frame and sends the response back: on the business
 * executor for methods that return a plain message (they may block), on the event loop that read
 * the frame for {@code CompletionStage} methods, generic services and unknown services or methods.
 * Counts calls in flight, for graceful shutdown.
 *
 * <p>When the executor refuses a call (full), the caller gets {@code RESOURCE_EXHAUSTED} at once
 * from the event loop: nothing queues without bound.
 *
 * <p>Whether a failed call ran: a failure returned before the call reached its service (refused by
 * this dispatcher, or by a server interceptor: a limit, an access rule) is marked {@link
 * RequestNotRunException not run}, and the client may run it elsewhere whatever its method does.
 * Once the service has it, every failure may have run.
 *
 * <p>The call context: the innermost step attaches the call's {@link CallContext} for the duration
 * of the service method (restoring the previous one after). A call cancelled while queued never
 * runs.
 */
public final class Dispatcher {

    private final Map<String, Invoker> services;
    private final boolean nonBlockingOnEventLoop;
    private final Invoker chain;
    private final Executor executor;
    private final String executorDescription;
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param services the invoker of each exported service, by name
     * @param chain the server chain, ending in {@link #route}
     */
    Dispatcher(
            Map<String, Invoker> services,
            java.util.function.Function<Invoker, Invoker> chain,
            Executor executor,
            String executorDescription,
            boolean nonBlockingOnEventLoop) {
        this.services = Map.copyOf(services);
        this.nonBlockingOnEventLoop = nonBlockingOnEventLoop;
        this.chain = chain.apply(this::route);
        this.executor = executor;
        this.executorDescription = executorDescription;
    }

    /**
     * On the event loop: runs a non-blocking call right here, or queues a blocking one on the business
     * executor (answering at once if it is full).
     */
    void dispatch(ServerConnection connection, ServerCall call, Frame frame) {
        inFlight.incrementAndGet();
        long micros = frame.timeoutMicros();
        Deadline deadline = micros == 0 ? Deadline.NONE : Deadline.after(micros, TimeUnit.MICROSECONDS);
        RpcRequest request = new RpcRequest(
                frame.service(),
                frame.method(),
                frame.metadata(),
                deadline,
                Payload.encoded(frame.serializerId(), frame.body()),
                call instanceof ServerStream stream
                        ? connection
                                .attributes()
                                .with(Cancellation.KEY, call)
                                .with(StreamPeer.KEY, stream)
                                .with(CallAttributes.STREAM_PROGRESS, stream)
                        : connection.attributes().with(Cancellation.KEY, call));
        if (nonBlockingOnEventLoop && isNonBlocking(request)) {
            // No thread hand-off: the method promised not to block (see docs/core.md, Threads).
            run(connection, call, request);
            return;
        }
        try {
            if (executor instanceof WorkerPool pool) {
                if (!pool.tryAdmit()) {
                    throw new RejectedExecutionException("full");
                }
                call.holdsWorkerPlace = true;
                pool.executeAdmitted(() -> run(connection, call, request));
            } else {
                executor.execute(() -> run(connection, call, request));
            }
        } catch (RejectedExecutionException e) {
            call.holdsWorkerPlace = false;
            finish(
                    connection,
                    call,
                    RpcResponse.failure(RequestNotRunException.mark(Status.RESOURCE_EXHAUSTED.withDescription(
                            request.fullMethodName() + ": server busy (" + executorDescription
                                    + " all taken); the call was not run, try another provider or later"))));
        }
    }

    private void run(ServerConnection connection, ServerCall call, RpcRequest request) {
        if (call.isCancelled()) {
            finish(connection, call, RpcResponse.failure(call.status())); // not sent: the caller cancelled it
            return;
        }
        if (request.deadline().isExpired()) {
            finish(
                    connection,
                    call,
                    RpcResponse.failure(RequestNotRunException.mark(Status.DEADLINE_EXCEEDED.withDescription(
                            request.fullMethodName() + ": deadline expired while queued on the server; not run"))));
            return;
        }
        CompletionStage<RpcResponse> result;
        try {
            result = chain.invoke(request);
        } catch (Throwable t) {
            result = CompletableFuture.completedFuture(RpcResponse.failure(
                    Status.INTERNAL.withDescription(request.fullMethodName() + ": server interceptor threw " + t)));
        }
        result.whenComplete((response, error) -> {
            RpcResponse r = error == null ? response : RpcResponse.failure(Status.fromThrowable(error));
            if (!r.isOk() && !call.reachedService && !RequestNotRunException.notRun(r.status())) {
                r = RpcResponse.failure(RequestNotRunException.mark(r.status())); // refused before the service
            }
            finish(connection, call, r);
        });
    }

    private void finish(ServerConnection connection, ServerCall call, RpcResponse response) {
        if (call.holdsWorkerPlace) {
            call.holdsWorkerPlace = false;
            ((WorkerPool) executor).release(); // before the answer goes out: the client may reuse the place at once
        }
        try {
            call.end();
            connection.respond(call, response);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * Whether {@code request} may run on the event loop: asynchronous Java methods and generic
     * {@link Invoker} services (whose contract forbids blocking), and calls of unknown services,
     * which are answered at once.
     */
    private boolean isNonBlocking(RpcRequest request) {
        Invoker service = services.get(request.service());
        return !(service instanceof JavaServiceInvoker java) || java.isNonBlocking(request.method());
    }

    /**
     * The innermost server invoker: finds the exported service and runs it with the call's context
     * current.
     */
    private CompletionStage<RpcResponse> route(RpcRequest request) {
        Invoker service = services.get(request.service());
        if (service != null && request.attributes().get(Cancellation.KEY) instanceof ServerCall call) {
            call.reachedService = true;
        }
        if (service == null) {
            return CompletableFuture.completedFuture(RpcResponse.failure(Status.UNIMPLEMENTED.withDescription(
                    "unknown service " + request.service() + "; this server exports: "
                            + String.join(", ", new java.util.TreeSet<>(services.keySet())))));
        }
        try (Scope ignored = CallContext.of(request).makeCurrent()) {
            return service.invoke(request);
        }
    }

    /** Calls accepted and not yet answered. */
    public int inFlight() {
        return inFlight.get();
    }
}
