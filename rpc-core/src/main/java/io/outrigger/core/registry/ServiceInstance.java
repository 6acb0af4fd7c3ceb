package io.outrigger.core.registry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One provider of one service, as announced in a registry: where it listens and what it offers.
 *
 * <p>Immutable. Build with {@link #builder(String, String, int)}; defaults are documented on the
 * builder. Two instances are equal when every field is equal; {@link #id()} identifies the
 * provider process of a service ({@code host:port}).
 *
 * @param service the language-neutral service name
 * @param host the address callers connect to (tests and the quickstart announce {@code 127.0.0.1})
 * @param port the native-protocol port
 * @param weight the relative share of traffic, 0..10000 (0: receives none)
 * @param version the service version, e.g. {@code 2.1.0}; empty when unversioned
 * @param group the service group, e.g. {@code blue}; empty for the default group
 * @param tags labels for tag routing, e.g. {@code canary}
 * @param zone the availability zone, for zone affinity; empty when unknown
 * @param serializers names of the serializers the provider accepts, e.g. {@code protobuf}
 * @param protocolVersion the wire-protocol version the provider speaks
 * @param metadata anything else (free-form, small)
 * @param incarnation an opaque id of the provider <em>process</em> (of its server's start), new on
 *     every start; empty when unknown (older providers). Callers compare it only for equality: a
 *     new incarnation at the same {@code host:port} is a restarted process, which warms up again
 *     and is called over new connections
 */
public record ServiceInstance(
        String service,
        String host,
        int port,
        int weight,
        String version,
        String group,
        Set<String> tags,
        String zone,
        List<String> serializers,
        int protocolVersion,
        Map<String, String> metadata,
        String incarnation) {

    /** The default {@link #weight}. */
    public static final int DEFAULT_WEIGHT = 100;

    public ServiceInstance {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(host, "host");
        if (service.isEmpty()) {
            throw new IllegalArgumentException("service: empty (expected: a service name)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
        if (weight < 0 || weight > 10_000) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: 0..10000)");
        }
        version = Objects.requireNonNullElse(version, "");
        group = Objects.requireNonNullElse(group, "");
        zone = Objects.requireNonNullElse(zone, "");
        tags = Set.copyOf(Objects.requireNonNullElse(tags, Set.of()));
        serializers = List.copyOf(Objects.requireNonNullElse(serializers, List.of()));
        metadata = Map.copyOf(Objects.requireNonNullElse(metadata, Map.of()));
        incarnation = Objects.requireNonNullElse(incarnation, "");
    }

    /** {@code host:port}: unique per service among live providers. */
    public String id() {
        return address();
    }

    /** {@code host:port}. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** Whether this instance carries {@code tag}. */
    public boolean hasTag(String tag) {
        return tags.contains(tag);
    }

    /** A builder for an instance of {@code service} at {@code host:port}. */
    public static Builder builder(String service, String host, int port) {
        return new Builder(service, host, port);
    }

    /** A builder holding this instance's values. */
    public Builder toBuilder() {
        Builder b = new Builder(service, host, port)
                .weight(weight)
                .version(version)
                .group(group)
                .tags(tags)
                .zone(zone)
                .serializers(serializers)
                .protocolVersion(protocolVersion)
                .incarnation(incarnation);
        b.metadata.putAll(metadata);
        return b;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(service).append('@').append(address());
        if (!version.isEmpty()) {
            sb.append(" version=").append(version);
        }
        if (!group.isEmpty()) {
            sb.append(" group=").append(group);
        }
        if (!tags.isEmpty()) {
            sb.append(" tags=").append(new TreeSet<>(tags));
        }
        if (!zone.isEmpty()) {
            sb.append(" zone=").append(zone);
        }
        if (weight != DEFAULT_WEIGHT) {
            sb.append(" weight=").append(weight);
        }
        return sb.toString();
    }

    /** Builds a {@link ServiceInstance}. Not thread-safe. */
    public static final class Builder {
        private final String service;
        private final String host;
        private final int port;
        private int weight = DEFAULT_WEIGHT;
        private String version = "";
        private String group = "";
        private Set<String> tags = Set.of();
        private String zone = "";
        private List<String> serializers = List.of("protobuf", "thrift");
        private int protocolVersion = 1;
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private String incarnation = "";

        private Builder(String service, String host, int port) {
            this.service = service;
            this.host = host;
            this.port = port;
        }

        /** Relative share of traffic, 0..10000. Default {@value ServiceInstance#DEFAULT_WEIGHT}. */
        public Builder weight(int weight) {
            this.weight = weight;
            return this;
        }

        /** Default: empty (unversioned). */
        public Builder version(String version) {
            this.version = version;
            return this;
        }

        /** Default: empty (the default group). */
        public Builder group(String group) {
            this.group = group;
            return this;
        }

        /** Default: none. */
        public Builder tags(Set<String> tags) {
            this.tags = tags;
            return this;
        }

        /** Default: none. */
        public Builder tags(String... tags) {
            return tags(Set.of(tags));
        }

        /** Default: empty (unknown). */
        public Builder zone(String zone) {
            this.zone = zone;
            return this;
        }

        /** Default: {@code [protobuf, thrift]}. */
        public Builder serializers(List<String> serializers) {
            this.serializers = serializers;
            return this;
        }

        /** Default: 1. */
        public Builder protocolVersion(int protocolVersion) {
            this.protocolVersion = protocolVersion;
            return this;
        }

        /** Adds one free-form metadata entry. */
        public Builder metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        /**
         * The provider process's start, as an opaque id. Default: empty (unknown). {@code RpcServer}
         * sets a new one each time it starts.
         */
        public Builder incarnation(String incarnation) {
            this.incarnation = incarnation;
            return this;
        }

        public ServiceInstance build() {
            return new ServiceInstance(
                    service,
                    host,
                    port,
                    weight,
                    version,
                    group,
                    tags,
                    zone,
                    serializers,
                    protocolVersion,
                    metadata,
                    incarnation);
        }
    }
}
