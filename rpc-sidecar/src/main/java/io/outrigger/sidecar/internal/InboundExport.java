package io.outrigger.sidecar.internal;

import io.outrigger.core.CallContext;
import io.outrigger.core.Invoker;
import io.outrigger.core.Metadata;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.registry.Registry;
import io.outrigger.core.registry.ServiceInstance;
import io.outrigger.core.server.ServiceReflection;
import io.outrigger.serialization.ProtobufSerializer;
import io.outrigger.serialization.ThriftSerializer;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code --export SERVICE=URL}: a generic service on the native listener that forwards each call
 * to the local app as {@code POST {URL}/{service}/{method}}, and the app's health, which decides
 * whether the service is registered.
 *
 * <p>The request goes with the content type of its serializer ({@code application/x-protobuf} or
 * {@code application/x-thrift}), its metadata as headers ({@link HeaderMapping}) and its remaining
 * time as {@code X-Outrigger-Timeout-Ms}. A 2xx answer's body is the reply; any other status maps
 * back to a status code, from the JSON error shape when the app sends one.
 *
 * <p>The reserved method {@value ServiceReflection#METHOD} is answered here, never forwarded: with
 * the {@code --descriptors} set when the sidecar has one, else UNIMPLEMENTED.
 *
 * <p>Thread-safe. {@link #invoke} never blocks.
 */
public final class InboundExport implements Invoker {

    private static final Logger log = LoggerFactory.getLogger(InboundExport.class);

    private final String service;
    private final URI baseUrl;
    private final String base;
    private final HttpClient http;
    private final byte[] descriptorSet;

    private volatile boolean healthy;
    private volatile String lastProblem = "not checked yet";
    private int failures; // guarded by this
    private boolean registered; // guarded by this
    private ServiceInstance instance; // guarded by this

    public InboundExport(String service, URI baseUrl, HttpClient http, byte[] descriptorSet) {
        this.service = service;
        this.baseUrl = baseUrl;
        String b = baseUrl.toString();
        this.base = b.endsWith("/") ? b.substring(0, b.length() - 1) : b;
        this.http = http;
        this.descriptorSet = descriptorSet;
    }

    public String service() {
        return service;
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** Whether the app passed its last health checks. */
    public boolean healthy() {
        return healthy;
    }

    /** Whether the service is registered now. */
    public synchronized boolean registered() {
        return registered;
    }

    /** Why the app was last found unhealthy. */
    public String lastProblem() {
        return lastProblem;
    }

    @Override
    public CompletionStage<RpcResponse> invoke(RpcRequest request) {
        if (request.method().equals(ServiceReflection.METHOD)) {
            return CompletableFuture.completedFuture(
                    descriptorSet != null
                            ? RpcResponse.ok(Payload.encoded(ProtobufSerializer.ID, descriptorSet))
                            : RpcResponse.failure(
                                    Status.Code.UNIMPLEMENTED,
                                    "the sidecar exporting " + service + " was started without --descriptors"));
        }
        if (!healthy) {
            return failed(Status.UNAVAILABLE.withDescription("the app serving " + service + " at " + baseUrl
                    + " fails its health check (" + lastProblem + "); the request was not sent"));
        }
        if (!(request.payload() instanceof Payload.Encoded payload)) {
            return failed(Status.INTERNAL.withDescription("inbound request without encoded payload"));
        }
        long remaining = request.deadline().remainingNanos();
        if (remaining <= 0) {
            return failed(Status.DEADLINE_EXCEEDED.withDescription(
                    request.fullMethodName() + ": deadline passed before the call was forwarded; not sent"));
        }
        String contentType = contentType(payload.serializerId());
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create(
                            base + "/" + PathSegments.encode(service) + "/" + PathSegments.encode(request.method())))
                    .header("Content-Type", contentType)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(payload.bytes()));
            for (Map.Entry<String, String> h : HeaderMapping.toHeaders(request.metadata())) {
                b.header(h.getKey(), h.getValue());
            }
            if (!request.deadline().isNone()) {
                long ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining));
                b.header(HeaderMapping.TIMEOUT_HEADER, Long.toString(ms));
                b.timeout(Duration.ofMillis(ms));
            }
        } catch (IllegalArgumentException e) {
            return failed(Status.INVALID_ARGUMENT.withDescription(
                    request.fullMethodName() + ": cannot forward as HTTP: " + e.getMessage()));
        }
        CompletableFuture<HttpResponse<byte[]>> exchange =
                http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        CallContext context = CallContext.current();
        if (context != null) {
            // The caller gave up (a CANCEL frame, its connection closed): abandon the request to the
            // app too, which sees its connection close; the answer would be dropped anyway.
            context.whenCancelled().thenRun(() -> exchange.cancel(true));
        }
        return exchange.handle((response, error) -> error != null
                ? RpcResponse.failure(fromError(request, error))
                : fromResponse(request, payload.serializerId(), response));
    }

    private RpcResponse fromResponse(RpcRequest request, byte serializerId, HttpResponse<byte[]> response) {
        int code = response.statusCode();
        if (code >= 200 && code < 300) {
            byte replyId = response.headers()
                    .firstValue("Content-Type")
                    .map(OutboundCalls.BodyType::of)
                    .filter(t -> t != OutboundCalls.BodyType.JSON)
                    .map(t -> t.serializerId)
                    .orElse(serializerId);
            return new RpcResponse(Status.OK, metadataOf(response), Payload.encoded(replyId, response.body()));
        }
        String text = new String(response.body(), StandardCharsets.UTF_8);
        Status status = JsonText.parseError(text);
        if (status == null) {
            String snippet = text.length() > 200 ? text.substring(0, 200) + "..." : text;
            status = Status.of(StatusMapping.fromHttpStatus(code))
                    .withDescription(request.fullMethodName() + ": the app answered HTTP " + code
                            + (snippet.isBlank() ? "" : ": " + snippet.strip()));
        }
        return RpcResponse.failure(status);
    }

    private static Metadata metadataOf(HttpResponse<?> response) {
        java.util.List<Map.Entry<String, String>> headers = new java.util.ArrayList<>();
        response.headers().map().forEach((name, values) -> {
            if (!values.isEmpty()) {
                headers.add(Map.entry(name, values.get(0)));
            }
        });
        try {
            return HeaderMapping.toMetadata(headers);
        } catch (IllegalArgumentException e) {
            return Metadata.empty();
        }
    }

    private Status fromError(RpcRequest request, Throwable error) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof HttpConnectTimeoutException || e instanceof ConnectException) {
            return Status.UNAVAILABLE.withDescription(
                    "cannot connect to the app serving " + service + " at " + baseUrl + ": " + e + "; not sent");
        }
        if (e instanceof HttpTimeoutException) {
            return Status.DEADLINE_EXCEEDED.withDescription(
                    request.fullMethodName() + ": the app at " + baseUrl + " did not answer before the deadline");
        }
        return Status.UNAVAILABLE.withDescription(
                request.fullMethodName() + ": forwarding to " + baseUrl + " failed (it may have run): " + e);
    }

    private static String contentType(byte serializerId) {
        if (serializerId == ProtobufSerializer.ID) {
            return "application/x-protobuf";
        }
        if (serializerId == ThriftSerializer.ID) {
            return "application/x-thrift";
        }
        return "application/octet-stream";
    }

    private static CompletionStage<RpcResponse> failed(Status status) {
        return CompletableFuture.completedFuture(RpcResponse.failure(status));
    }

    /** The health check's URL. */
    URI healthUrl() {
        return URI.create(base + "/health");
    }

    /**
     * Records one health check and registers or unregisters the service accordingly: registered
     * after a passed check, unregistered after {@code threshold} failed ones in a row. Called from the
     * health-check thread only; may block on the registry.
     */
    public synchronized void onHealth(
            boolean passed, String problem, int threshold, Registry registry, ServiceInstance announce) {
        if (passed) {
            failures = 0;
            healthy = true;
            if (!registered) {
                registry.register(announce);
                instance = announce;
                registered = true;
                log.info("{}: the app at {} is healthy; registered {}", service, baseUrl, announce);
            }
            return;
        }
        lastProblem = problem;
        failures++;
        if (failures >= threshold) {
            healthy = false;
            if (registered) {
                registry.unregister(instance);
                registered = false;
                log.warn(
                        "{}: the app at {} failed {} health checks ({}); unregistered",
                        service,
                        baseUrl,
                        failures,
                        problem);
            } else if (failures == threshold) {
                log.warn("{}: the app at {} is not healthy ({}); not registered", service, baseUrl, problem);
            }
        }
    }

    /** Unregisters the service if it is registered (shutdown). */
    public synchronized boolean unregister(Registry registry) {
        healthy = false;
        lastProblem = "the sidecar is shutting down";
        if (registered) {
            registry.unregister(instance);
            registered = false;
            return true;
        }
        return false;
    }
}
