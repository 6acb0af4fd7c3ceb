package io.outrigger.observability.internal;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.outrigger.core.Metadata;
import io.outrigger.core.RpcRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Bridges OpenTelemetry propagators and request {@link Metadata}. Metadata keys are lowercase, so keys
 * are lowercased both ways: a propagator writing {@code X-B3-TraceId} stores {@code x-b3-traceid} and
 * finds it again.
 */
public final class MetadataCarrier {

    private static final TextMapSetter<MetadataCarrier> SETTER = (carrier, key, value) -> {
        if (carrier != null && key != null && value != null) {
            carrier.metadata = carrier.metadata.with(key.toLowerCase(Locale.ROOT), value);
        }
    };

    private static final TextMapGetter<Metadata> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Metadata carrier) {
            List<String> keys = new ArrayList<>(carrier.size());
            for (int i = 0; i < carrier.size(); i++) {
                keys.add(carrier.key(i));
            }
            return keys;
        }

        @Override
        public String get(Metadata carrier, String key) {
            return carrier == null || key == null ? null : carrier.get(key.toLowerCase(Locale.ROOT));
        }
    };

    private Metadata metadata;

    private MetadataCarrier(Metadata metadata) {
        this.metadata = metadata;
    }

    /** {@code request} with {@code context} written into its metadata; the same request if nothing was written. */
    public static RpcRequest inject(TextMapPropagator propagator, Context context, RpcRequest request) {
        if (!Span.fromContext(context).getSpanContext().isValid()
                && propagator.fields().isEmpty()) {
            return request;
        }
        MetadataCarrier carrier = new MetadataCarrier(request.metadata());
        propagator.inject(context, carrier, SETTER);
        return carrier.metadata == request.metadata() ? request : request.withMetadata(carrier.metadata);
    }

    /** {@code parent} plus whatever the propagator finds in {@code metadata}. */
    public static Context extract(TextMapPropagator propagator, Context parent, Metadata metadata) {
        return metadata.isEmpty() ? parent : propagator.extract(parent, metadata, GETTER);
    }
}
