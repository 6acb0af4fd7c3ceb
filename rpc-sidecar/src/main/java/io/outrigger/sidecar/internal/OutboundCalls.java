package io.outrigger.sidecar.internal;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.outrigger.core.Attributes;
import io.outrigger.core.Deadline;
import io.outrigger.core.Invoker;
import io.outrigger.core.Metadata;
import io.outrigger.core.Payload;
import io.outrigger.core.RpcRequest;
import io.outrigger.core.RpcResponse;
import io.outrigger.core.Status;
import io.outrigger.core.client.RpcClient;
import io.outrigger.serialization.ProtobufSerializer;
import io.outrigger.serialization.SerializationException;
import io.outrigger.serialization.Serializer;
import io.outrigger.serialization.ThriftSerializer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The outbound half of the sidecar: one {@code POST /rpc/{service}/{method}} becomes one call
 * through the client chain of the service (discovery, routing, load balancing, breaking, retries),
 * its reply an HTTP answer.
 *
 * <p>Protobuf and Thrift bodies pass through as encoded bytes, never decoded. JSON bodies are
 * transcoded to protobuf with the service's {@link Schemas schema}, and the reply back to JSON.
 *
 * <p>Tracing: the caller's {@code traceparent}/{@code tracestate} headers are extracted with the W3C
 * propagator into the OpenTelemetry {@link Context} current while the client chain is invoked, so
 * the chain's tracing continues the caller's trace (and injects its own span into the request);
 * without an SDK the headers still reach the provider as metadata.
 *
 * <p>Thread-safe. Never blocks the calling thread (an event loop): the first call of a service
 * subscribes to it in the registry, which may wait for ZooKeeper, so that happens on {@code
 * resolver}.
 */
public final class OutboundCalls {

    /** At most this many distinct services are subscribed: each one is a registry watch. */
    static final int MAX_SERVICES = 10_000;

    /** The largest {@code X-Outrigger-Timeout-Ms}: one day. */
    static final long MAX_TIMEOUT_MS = 86_400_000L;

    /** What a body is, by its content type. */
    enum BodyType {
        PROTOBUF(ProtobufSerializer.ID),
        THRIFT(ThriftSerializer.ID),
        JSON(ProtobufSerializer.ID);

        final byte serializerId;

        private static final Map<String, BodyType> EXACT = Map.of(
                "application/x-protobuf", PROTOBUF,
                "application/protobuf", PROTOBUF,
                "application/vnd.google.protobuf", PROTOBUF,
                "application/x-thrift", THRIFT,
                "application/vnd.apache.thrift.compact", THRIFT,
                "application/json", JSON);

        BodyType(byte serializerId) {
            this.serializerId = serializerId;
        }

        /** The type of {@code contentType}, or {@code null} when the sidecar cannot use it. */
        static BodyType of(String contentType) {
            if (contentType == null) {
                return null;
            }
            BodyType exact = EXACT.get(contentType); // the common case: no parameters, lower case
            if (exact != null) {
                return exact;
            }
            int semi = contentType.indexOf(';');
            String media = (semi >= 0 ? contentType.substring(0, semi) : contentType)
                    .strip()
                    .toLowerCase(Locale.ROOT);
            return switch (media) {
                case "application/x-protobuf", "application/protobuf", "application/vnd.google.protobuf" -> PROTOBUF;
                case "application/x-thrift", "application/vnd.apache.thrift.compact" -> THRIFT;
                case "application/json" -> JSON;
                default -> null;
            };
        }
    }

    private final RpcClient client;
    private final WatchedRegistry registry;
    private final Schemas schemas;
    private final Duration defaultTimeout;
    private final Executor resolver;
    private final Map<String, CompletableFuture<Invoker>> invokers = new ConcurrentHashMap<>();

    /** Reads W3C trace headers from the HTTP request's (name, value) pairs, case-insensitively. */
    private static final TextMapGetter<Iterable<Map.Entry<String, String>>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Iterable<Map.Entry<String, String>> carrier) {
            List<String> keys = new java.util.ArrayList<>();
            carrier.forEach(e -> keys.add(e.getKey().toLowerCase(Locale.ROOT)));
            return keys;
        }

        @Override
        public String get(Iterable<Map.Entry<String, String>> carrier, String key) {
            if (carrier == null) {
                return null;
            }
            for (Map.Entry<String, String> e : carrier) {
                if (e.getKey().equalsIgnoreCase(key)) {
                    return e.getValue();
                }
            }
            return null;
        }
    };

    public OutboundCalls(
            RpcClient client, WatchedRegistry registry, Schemas schemas, Duration defaultTimeout, Executor resolver) {
        this.client = client;
        this.registry = registry;
        this.schemas = schemas;
        this.defaultTimeout = defaultTimeout;
        this.resolver = resolver;
    }

    /**
     * Makes the call {@code POST /rpc/{service}/{method}} asks for.
     *
     * @param headers the HTTP request headers (name, value)
     * @return the HTTP answer; never completes exceptionally
     */
    public CompletionStage<HttpReply> call(
            String service,
            String method,
            String contentType,
            Iterable<Map.Entry<String, String>> headers,
            byte[] body) {
        BodyType type = BodyType.of(contentType);
        if (type == null) {
            return done(HttpReply.failure(
                    415,
                    Status.Code.INVALID_ARGUMENT,
                    "Content-Type " + (contentType == null ? "missing" : "\"" + contentType + "\" not supported")
                            + " (expected: application/x-protobuf, application/x-thrift, or application/json for"
                            + " protobuf services)"));
        }
        String badName = checkName("service", service);
        if (badName == null) {
            badName = checkName("method", method);
        }
        if (badName != null) {
            return done(HttpReply.failure(Status.INVALID_ARGUMENT.withDescription(badName)));
        }
        Metadata metadata;
        Deadline deadline;
        try {
            metadata = HeaderMapping.toMetadata(headers);
            deadline = deadline(headers);
        } catch (IllegalArgumentException e) {
            return done(HttpReply.failure(Status.INVALID_ARGUMENT.withDescription(e.getMessage())));
        }
        String responseType = type == BodyType.JSON ? HttpReply.JSON : mediaType(contentType);
        Context trace = W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, HEADERS);
        return invoker(service).thenCompose(invoker -> {
            if (invoker == null) {
                return done(HttpReply.failure(Status.RESOURCE_EXHAUSTED.withDescription(
                        "the sidecar already watches " + MAX_SERVICES + " services; not subscribing to " + service)));
            }
            if (type != BodyType.JSON) {
                RpcRequest request = request(service, method, metadata, deadline, type.serializerId, body);
                return send(invoker, request, responseType, null, trace);
            }
            return schemas.lookup(service, invoker).thenCompose(lookup -> {
                if (lookup instanceof Schemas.Failed failed) {
                    return done(failure(service, failed.status()));
                }
                if (lookup instanceof Schemas.Unsupported unsupported) {
                    return done(HttpReply.failure(415, Status.Code.INVALID_ARGUMENT, unsupported.message()));
                }
                ServiceSchema schema = ((Schemas.Found) lookup).schema();
                ServiceSchema.MethodTypes types = schema.method(method);
                if (types == null) {
                    return done(HttpReply.failure(Status.UNIMPLEMENTED.withDescription("unknown method " + service + "/"
                            + method + " in the descriptors of " + service + "; it has: "
                            + String.join(", ", schema.methodNames()))));
                }
                if (types.streams()) {
                    // 501, not the 404 of an unknown method: the method exists, the sidecar cannot carry it.
                    return done(HttpReply.failure(
                            501,
                            Status.Code.UNIMPLEMENTED,
                            service + "/" + method + " is a "
                                    + (types.clientStreaming()
                                            ? (types.serverStreaming() ? "bidirectional" : "client")
                                            : "server")
                                    + "-streaming method, and the sidecar does not carry streams yet; call it from"
                                    + " Java, or use a unary method (docs/sidecar.md)"));
                }
                byte[] protobuf;
                try {
                    String json = StandardCharsets.UTF_8
                            .newDecoder()
                            .decode(java.nio.ByteBuffer.wrap(body))
                            .toString();
                    protobuf = types.transcoder().jsonToProtobuf(json, types.request());
                } catch (CharacterCodingException e) {
                    return done(HttpReply.failure(
                            Status.INVALID_ARGUMENT.withDescription("the JSON body is not valid UTF-8")));
                } catch (SerializationException e) {
                    return done(HttpReply.failure(Status.INVALID_ARGUMENT.withDescription(e.getMessage())));
                }
                RpcRequest request = request(service, method, metadata, deadline, ProtobufSerializer.ID, protobuf);
                return send(invoker, request, responseType, types, trace);
            });
        });
    }

    private CompletionStage<HttpReply> send(
            Invoker invoker, RpcRequest request, String responseType, ServiceSchema.MethodTypes json, Context trace) {
        CompletionStage<RpcResponse> response;
        try (Scope ignored = trace.makeCurrent()) {
            response = invoker.invoke(request);
        } catch (RuntimeException e) {
            response = CompletableFuture.completedFuture(RpcResponse.failure(Status.fromThrowable(e)));
        }
        return response.handle((r, error) -> {
            if (error != null) {
                return failure(request.service(), Status.fromThrowable(error));
            }
            if (!r.isOk()) {
                return failure(request.service(), r.status());
            }
            try {
                return reply(r, responseType, json);
            } catch (RuntimeException e) {
                return HttpReply.failure(Status.INTERNAL.withDescription("the reply of " + request.fullMethodName()
                        + " cannot be returned as " + responseType + ": " + e.getMessage()));
            }
        });
    }

    private HttpReply reply(RpcResponse response, String responseType, ServiceSchema.MethodTypes json) {
        byte[] bytes;
        if (response.payload() instanceof Payload.Encoded encoded) {
            bytes = encoded.bytes();
        } else {
            // A message object, e.g. from a fallback: encode it as a provider would have.
            Object message = ((Payload.OfMessage) response.payload()).message();
            Serializer serializer = client.serializers().forType(message.getClass());
            bytes = serializer.encode(message);
        }
        if (json != null) {
            bytes = json.transcoder().protobufToJson(bytes, json.response()).getBytes(StandardCharsets.UTF_8);
        }
        return HttpReply.ok(responseType, bytes, HeaderMapping.toHeaders(response.metadata()));
    }

    /**
     * The answer for a failed call. A service nobody ever provided (as far as this sidecar has seen)
     * is NOT_FOUND (404) rather than UNAVAILABLE (503), so that a misspelt name is not retried as if
     * its providers were only down.
     */
    private HttpReply failure(String service, Status status) {
        if (status.code() == Status.Code.UNAVAILABLE
                && !registry.everSeen(service)
                && registry.instances().getOrDefault(service, List.of()).isEmpty()) {
            status = Status.NOT_FOUND.withDescription("unknown service " + service
                    + ": no provider of it has been seen in the registry (check the name, or start a provider)");
        }
        return HttpReply.failure(status);
    }

    /** The client chain of {@code service}; {@code null} when too many services are watched. */
    CompletionStage<Invoker> invoker(String service) {
        CompletableFuture<Invoker> known = invokers.get(service);
        if (known != null) {
            return known;
        }
        if (invokers.size() >= MAX_SERVICES) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Invoker> mine = new CompletableFuture<>();
        CompletableFuture<Invoker> raced = invokers.putIfAbsent(service, mine);
        if (raced != null) {
            return raced;
        }
        try {
            resolver.execute(() -> {
                try {
                    mine.complete(client.invoker(service));
                } catch (RuntimeException e) {
                    invokers.remove(service, mine);
                    Status.Code code = e instanceof IllegalArgumentException
                            ? Status.Code.INVALID_ARGUMENT
                            : Status.Code.UNAVAILABLE;
                    Invoker failing = r -> CompletableFuture.completedFuture(RpcResponse.failure(
                            code, "cannot watch " + service + " in the registry: " + e.getMessage()));
                    mine.complete(failing);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            invokers.remove(service, mine);
            mine.complete(r -> CompletableFuture.completedFuture(
                    RpcResponse.failure(Status.Code.UNAVAILABLE, "the sidecar is shutting down")));
        }
        return mine;
    }

    private Deadline deadline(Iterable<Map.Entry<String, String>> headers) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(HeaderMapping.TIMEOUT_HEADER)) {
                long ms;
                try {
                    ms = Long.parseLong(h.getValue().strip());
                } catch (NumberFormatException e) {
                    ms = -1;
                }
                if (ms < 1 || ms > MAX_TIMEOUT_MS) {
                    throw new IllegalArgumentException(HeaderMapping.TIMEOUT_HEADER + ": \"" + h.getValue()
                            + "\" (expected: milliseconds, 1.." + MAX_TIMEOUT_MS + ")");
                }
                return Deadline.after(Duration.ofMillis(ms));
            }
        }
        return Deadline.after(defaultTimeout);
    }

    private static RpcRequest request(
            String service, String method, Metadata metadata, Deadline deadline, byte serializerId, byte[] body) {
        return new RpcRequest(
                service, method, metadata, deadline, Payload.encoded(serializerId, body), Attributes.empty());
    }

    private static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).strip();
    }

    /** Why {@code name} cannot be a service or method name, or {@code null} when it can. */
    static String checkName(String what, String name) {
        if (name.isEmpty() || name.length() > 255) {
            return what + " name: " + name.length() + " characters (expected: 1..255)";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '_'
                    || c == '-'
                    || c == '$';
            if (!ok) {
                return what + " name \"" + name + "\" has the character '" + c
                        + "' (expected: letters, digits, '.', '_', '-', '$')";
            }
        }
        return null;
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
