package io.outrigger.serialization.internal;

import io.outrigger.serialization.ProtobufSerializer;
import io.outrigger.serialization.SerializationException;
import io.outrigger.serialization.Serializer;
import io.outrigger.serialization.Serializers;
import io.outrigger.serialization.ThriftSerializer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * The implementation of {@link Serializers}: an immutable set of serializers indexed by wire id
 * and, lazily, by message type.
 *
 * <p>Lookups by id index a 256-entry array. Lookups by type ask each serializer once per class
 * and remember the answer in a {@link ClassValue}, so the hot path never loops over serializers.
 * Instances are immutable and thread-safe.
 */
public final class SerializerRegistry implements Serializers {

    /**
     * The built-in serializers ({@link ProtobufSerializer}, {@link ThriftSerializer}) followed by
     * those that {@link ServiceLoader} finds through this class's class loader, in the order it
     * finds them.
     *
     * <p>Built when this class initializes; a plug-in whose id clashes with another makes that
     * fail with an {@link IllegalArgumentException} naming both, since picking one silently
     * would decode frames with the wrong codec.
     */
    public static final SerializerRegistry DEFAULT = new SerializerRegistry(defaultSerializers());

    private final Serializer[] byId = new Serializer[256];
    /** In the order given: {@link #forType} prefers the first serializer that supports a type. */
    private final List<Serializer> inPreferenceOrder;

    private final List<Serializer> inIdOrder;

    private final ClassValue<Optional<Serializer>> byType = new ClassValue<>() {
        @Override
        protected Optional<Serializer> computeValue(Class<?> type) {
            for (Serializer serializer : inPreferenceOrder) {
                if (serializer.supports(type)) {
                    return Optional.of(serializer);
                }
            }
            return Optional.empty();
        }
    };

    /**
     * A registry of exactly {@code serializers}.
     *
     * @throws IllegalArgumentException if two serializers share an id (naming both), or an id is 0
     * @throws NullPointerException if the list or one of its elements is {@code null}
     */
    public SerializerRegistry(List<Serializer> serializers) {
        Objects.requireNonNull(serializers, "serializers");
        List<Serializer> copy = new ArrayList<>(serializers.size());
        for (Serializer serializer : serializers) {
            Objects.requireNonNull(serializer, "serializers contains null");
            int id = Byte.toUnsignedInt(serializer.id());
            if (id == 0) {
                throw new IllegalArgumentException(
                        "serializer " + describe(serializer) + " has id 0 (expected: 1..255; 0 means no payload)");
            }
            Serializer existing = byId[id];
            if (existing != null) {
                throw new IllegalArgumentException("serializer id " + id + " is used by both " + describe(existing)
                        + " and " + describe(serializer) + "; ids must be unique");
            }
            byId[id] = serializer;
            copy.add(serializer);
        }
        this.inPreferenceOrder = List.copyOf(copy);
        copy.sort(Comparator.comparingInt(s -> Byte.toUnsignedInt(s.id())));
        this.inIdOrder = List.copyOf(copy);
    }

    @Override
    public Serializer byId(byte id) {
        return byId[Byte.toUnsignedInt(id)];
    }

    @Override
    public Serializer forType(Class<?> type) {
        Objects.requireNonNull(type, "type");
        Optional<Serializer> found = byType.get(type);
        if (found.isPresent()) {
            return found.get();
        }
        throw new SerializationException(
                "no serializer supports " + type.getName() + " (known: " + knownSerializers() + ")");
    }

    @Override
    public boolean supports(Class<?> type) {
        return byType.get(Objects.requireNonNull(type, "type")).isPresent();
    }

    @Override
    public List<Serializer> all() {
        return inIdOrder;
    }

    @Override
    public String toString() {
        return "Serializers[" + knownSerializers() + "]";
    }

    private String knownSerializers() {
        if (inIdOrder.isEmpty()) {
            return "none";
        }
        return inIdOrder.stream()
                .map(s -> Byte.toUnsignedInt(s.id()) + "=" + s.name() + " for " + s.supportedTypesDescription())
                .collect(Collectors.joining(", "));
    }

    private static String describe(Serializer serializer) {
        return serializer.name() + " (" + serializer.getClass().getName() + ")";
    }

    private static List<Serializer> defaultSerializers() {
        List<Serializer> serializers = new ArrayList<>();
        serializers.add(ProtobufSerializer.INSTANCE);
        serializers.add(ThriftSerializer.INSTANCE);
        // This class's own loader rather than the thread's context loader: DEFAULT is built once,
        // on whichever thread touches it first, and must not depend on which thread that was.
        ServiceLoader.load(Serializer.class, SerializerRegistry.class.getClassLoader())
                .forEach(serializers::add);
        return serializers;
    }
}
