package io.outrigger.observability;

import static org.assertj.core.api.Assertions.assertThat;

import io.outrigger.core.Status;
import io.outrigger.observability.internal.Json;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonAndReasonTest {

    @Test
    void jsonEscapesAndRendersEveryKind() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\nd\u0001");
        m.put("n", 42);
        m.put("d", Double.NaN);
        m.put("b", true);
        m.put("z", null);
        m.put("l", List.of(1, "x"));
        m.put("e", List.of());
        m.put("a", new int[0].length);
        assertThat(Json.write(m))
                .isEqualTo("{\n  \"s\": \"a\\\"b\\\\c\\nd\\u0001\",\n  \"n\": 42,\n  \"d\": null,\n  \"b\": true,\n"
                        + "  \"z\": null,\n  \"l\": [\n    1,\n    \"x\"\n  ],\n  \"e\": [],\n  \"a\": 0\n}");
        assertThat(Json.write(Arrays.asList("x", null))).isEqualTo("[\n  \"x\",\n  null\n]");
    }

    @Test
    void rejectionReasonsComeFromCodeAndDescription() {
        assertThat(RejectionReason.of(Status.RESOURCE_EXHAUSTED.withDescription("Rate limit exceeded")))
                .isEqualTo(RejectionReason.RATE_LIMIT);
        assertThat(RejectionReason.of(Status.RESOURCE_EXHAUSTED.withDescription("bulkhead full: 10 calls")))
                .isEqualTo(RejectionReason.BULKHEAD);
        assertThat(RejectionReason.of(Status.UNAVAILABLE.withDescription("circuit breaker of x is OPEN")))
                .isEqualTo(RejectionReason.BREAKER_OPEN);
        assertThat(RejectionReason.of(Status.RESOURCE_EXHAUSTED.withDescription("demo/m: server busy (200 workers)")))
                .isEqualTo(RejectionReason.SERVER_BUSY);
        assertThat(RejectionReason.SERVER_BUSY.value()).isEqualTo("server_busy");
        // Not refusals: other codes, no description, or a limit that is not about load.
        assertThat(RejectionReason.of(Status.INTERNAL.withDescription("rate limit")))
                .isNull();
        assertThat(RejectionReason.of(Status.RESOURCE_EXHAUSTED)).isNull();
        assertThat(RejectionReason.of(Status.RESOURCE_EXHAUSTED.withDescription("message of 9 MiB over 4 MiB")))
                .isNull();
    }
}
