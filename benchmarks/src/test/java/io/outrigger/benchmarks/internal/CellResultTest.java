package io.outrigger.benchmarks.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CellResultTest {

    @Test
    void survivesTheTripFromClientToOrchestrator() {
        CellResult result = new CellResult(
                "getUser", 32, 90_000, 3.0, 350_000, 2_000_000, 5_000_000, 9_000_000, 1_200_000_000L, 600_000_000L, 0);

        CellResult parsed = CellResult.parse(result.line());

        assertThat(parsed).isEqualTo(result);
        assertThat(parsed.callsPerSecond()).isEqualTo(30_000.0);
        assertThat(parsed.cpuMicrosPerCall()).isEqualTo(20.0);
    }
}
