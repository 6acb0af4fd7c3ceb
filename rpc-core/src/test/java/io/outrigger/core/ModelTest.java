package io.outrigger.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.outrigger.serialization.Serializers;
import io.outrigger.serialization.testing.proto.EchoRequest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ModelTest {

    @Test
    void statusCodesMatchGrpcNumbering() {
        assertThat(Status.Code.OK.value()).isZero();
        assertThat(Status.Code.DEADLINE_EXCEEDED.value()).isEqualTo(4);
        assertThat(Status.Code.RESOURCE_EXHAUSTED.value()).isEqualTo(8);
        assertThat(Status.Code.UNIMPLEMENTED.value()).isEqualTo(12);
        assertThat(Status.Code.UNAVAILABLE.value()).isEqualTo(14);
        assertThat(Status.Code.UNAUTHENTICATED.value()).isEqualTo(16);
        assertThat(Status.Code.fromValue(99)).isEqualTo(Status.Code.UNKNOWN);
        for (Status.Code c : Status.Code.values()) {
            assertThat(Status.Code.fromValue(c.value())).isEqualTo(c);
        }
    }

    @Test
    void statusIsImmutableAndDescribesItself() {
        Status s = Status.UNAVAILABLE.withDescription("no provider");
        assertThat(Status.UNAVAILABLE.description()).isNull();
        assertThat(s.toString()).isEqualTo("UNAVAILABLE: no provider");
        assertThat(s.asException().status()).isSameAs(s);
        assertThat(Status.fromThrowable(new RuntimeException(s.asException())).code())
                .isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(Status.fromThrowable(new IllegalStateException("x")).description())
                .isEqualTo("java.lang.IllegalStateException: x");
    }

    @Test
    void metadataIsImmutableOrderedAndValidated() {
        Metadata a = Metadata.of("b", "2").with("a", "1");
        Metadata b = a.with("b", "3");

        assertThat(a.get("b")).isEqualTo("2");
        assertThat(b.toMap()).containsExactly(Map.entry("b", "3"), Map.entry("a", "1"));
        assertThat(b.without("b").toMap()).containsExactly(Map.entry("a", "1"));
        assertThat(a.withAll(Metadata.of("c", "4")).size()).isEqualTo(3);
        assertThatThrownBy(() -> Metadata.of("Upper", "x")).hasMessageContaining("lowercase");
        assertThatThrownBy(() -> Metadata.of("", "x")).hasMessageContaining("1..255");
        assertThatThrownBy(() -> Metadata.ofEntries("a", "1", "a", "2")).hasMessageContaining("repeated");
        assertThatThrownBy(() -> Metadata.ofEntries("a")).hasMessageContaining("even number");
    }

    @Test
    void deadlinesCountDownAndCompare() {
        Deadline soon = Deadline.after(Duration.ofMillis(50));
        Deadline later = Deadline.after(1, TimeUnit.HOURS);

        assertThat(soon.isExpired()).isFalse();
        assertThat(soon.remainingNanos()).isBetween(0L, TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(soon.min(later)).isSameAs(soon);
        assertThat(Deadline.NONE.min(later)).isSameAs(later);
        assertThat(Deadline.NONE.remainingNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(Deadline.after(Duration.ZERO).isExpired()).isTrue();
        assertThat(Deadline.after(Duration.ofSeconds(Long.MAX_VALUE)).isNone()).isTrue();
    }

    @Test
    void payloadDecodesMessagesAndBytesAndReportsBadInput() {
        EchoRequest message = EchoRequest.newBuilder().setText("hi").build();
        Serializers serializers = Serializers.defaults();

        assertThat(Payload.of(message).decode(EchoRequest.class, serializers)).isSameAs(message);
        assertThat(Payload.encoded((byte) 1, message.toByteArray()).decode(EchoRequest.class, serializers))
                .isEqualTo(message);
        assertThatThrownBy(() -> Payload.encoded((byte) 77, new byte[0]).decode(EchoRequest.class, serializers))
                .isInstanceOfSatisfying(
                        RpcException.class, e -> assertThat(e.status().code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
                .hasMessageContaining("serializer id 77")
                .hasMessageContaining("1=protobuf");
    }

    @Test
    void invokerDecorationRunsInterceptorsOutsideIn() throws Exception {
        StringBuilder order = new StringBuilder();
        Invoker target = request -> {
            order.append("target;");
            return java.util.concurrent.CompletableFuture.completedFuture(RpcResponse.ok(Payload.EMPTY));
        };
        Invoker chain = target.decorate((r, next) -> {
                    order.append("inner;");
                    return next.invoke(r);
                })
                .decorate((r, next) -> {
                    order.append("outer;");
                    return next.invoke(r.withHeader("x", "1"));
                });

        chain.invoke(RpcRequest.of("s", "m", Payload.EMPTY))
                .toCompletableFuture()
                .get();

        assertThat(order).hasToString("outer;inner;target;");
    }

    @Test
    void statusCodesWorkWhicheverClassIsInitializedFirst() throws Exception {
        // A fresh loader, so that Status.Code is initialized before Status (as a caller touching
        // Status.Code.values() first does).
        java.net.URL classes =
                Status.class.getProtectionDomain().getCodeSource().getLocation();
        try (var loader =
                new java.net.URLClassLoader(new java.net.URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            Class<?> code = Class.forName("io.outrigger.core.Status$Code", true, loader);
            Object[] codes = code.getEnumConstants();
            assertThat(codes).hasSize(17);
            Object ok = code.getMethod("toStatus").invoke(codes[0]);
            Class<?> status = Class.forName("io.outrigger.core.Status", true, loader);
            assertThat(status.getField("OK").get(null)).isSameAs(ok);
            assertThat(status.getField("UNAVAILABLE").get(null)).hasToString("UNAVAILABLE");
        }
    }
}
